import Foundation
import Hummingbird

/// The per-request context: Hummingbird's core storage plus the authenticated user.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's storage (logger, path parameters).
    public var coreContext: CoreRequestContextStorage
    /// The user the bearer token names; set by the authentication middleware.
    public var userID: Int?
    /// Whether the token names a reminders administrator (`roles` holds `"admin"`).
    public var isAdmin = false
    /// When the caller's token expires: an event stream ends then.
    public var tokenExpiresAt: Date?

    /// A context for a new request, not yet authenticated.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        userID = nil
    }

    /// Request bodies are small JSON documents; a larger announced body is refused before it
    /// is read (``RequestBodyLimitHandler``), a larger chunked one while it is collected.
    public static let maximumBodyBytes = 256 * 1024

    public var maxUploadSize: Int { Self.maximumBodyBytes }

    /// The authenticated user; routes behind the authentication middleware always have one.
    func requireUser() throws(GatewayError) -> Int {
        guard let userID else { throw .unauthorized("authentication required") }
        return userID
    }

    /// The authenticated caller with their role.
    func requireCaller() throws(GatewayError) -> Caller {
        Caller(userID: try requireUser(), isAdmin: isAdmin)
    }
}
