/// Why a webhook URL or its resolved address is refused (one line, no secrets).
public struct WebhookTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, phrased to follow the field name ("url must use https").
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
