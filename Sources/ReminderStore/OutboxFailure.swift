/// An outbox row the relay could not publish, and why.
public struct OutboxFailure: Sendable, Equatable {
    /// The outbox row id.
    public var id: Int64
    /// The error, free of the row's payload.
    public var reason: String
    /// Whether trying again cannot help (the row is unreadable, or the broker
    /// refused the record for its own sake): the row is quarantined at once.
    /// Otherwise this counts as one failed attempt.
    public var isFinal: Bool

    /// Creates a failure.
    public init(id: Int64, reason: String, isFinal: Bool) {
        self.id = id
        self.reason = reason
        self.isFinal = isFinal
    }
}
