import Hummingbird
import ReminderStore

/// Authenticates the calendar feed: by `?feed_token=` (calendar applications cannot send
/// headers), or else as every API route, by `Authorization: Bearer <JWT>`. A feed token that is
/// malformed, unknown, revoked or replaced is a 401 naming `feed_token`; its user must be active.
struct CalendarFeedAuthentication<Store: UserDirectory & CalendarRepository>: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let store: Store
    let bearer: AuthenticationMiddleware<Store>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.uri.queryParameters["feed_token"].map(String.init) else {
            return try await bearer.handle(request, context: context, next: next)
        }
        let refused = GatewayError(status: .unauthorized, code: "unauthorized", message: "the feed token is not valid", field: "feed_token")
        guard let userID = CalendarFeedToken.userID(of: token) else { throw refused }
        // Hash the token whether or not the user has one, so a miss takes as long as a mismatch.
        let stored = try await store.calendarFeedTokenHash(userID: userID)
        guard CalendarFeedToken.matches(token, storedHash: stored ?? ""), stored != nil else { throw refused }
        switch try await store.status(of: userID) {
        case .active:
            break
        case .unknown:
            throw refused
        case .inactive:
            throw GatewayError(status: .forbidden, code: "user-inactive", message: "the user is deactivated", field: "feed_token")
        }
        var context = context
        context.userID = userID
        context.isAdmin = false
        return try await next(request, context)
    }
}
