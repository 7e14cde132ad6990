import Foundation
import Hummingbird
import ReminderStore

/// Requires `Authorization: Bearer <JWT>` and puts the token's user into the context. On the
/// event stream the token may come as `?token=` instead, because `EventSource` cannot set headers.
/// A token for an unknown user is a 401; for a deactivated one a 403.
struct AuthenticationMiddleware<Users: UserDirectory>: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let tokens: JSONWebToken
    let users: Users
    let acceptsQueryToken: Bool
    let verified: VerifiedTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
                throw GatewayError.unauthorized("the Authorization header must be \"Bearer <token>\"")
            }
            token = String(header.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        } else if acceptsQueryToken, let query = request.uri.queryParameters["token"], !query.isEmpty {
            token = String(query)
        } else {
            throw GatewayError.unauthorized("a bearer token is required")
        }
        let claims = try verified.claims(of: token, verifier: tokens)
        switch try await users.status(of: claims.userID) {
        case .active:
            break
        case .unknown:
            throw GatewayError.unauthorized("the token's user does not exist")
        case .inactive:
            throw GatewayError(status: .forbidden, code: "user-inactive", message: "the user is deactivated", field: "Authorization")
        }
        var context = context
        context.userID = claims.userID
        context.isAdmin = claims.isAdmin
        context.tokenExpiresAt = claims.expiresAt
        return try await next(request, context)
    }
}
