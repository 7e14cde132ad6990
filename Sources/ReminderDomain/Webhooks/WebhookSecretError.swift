/// Why a webhook secret is refused (never the secret itself).
public struct WebhookSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, phrased to follow the field name.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
