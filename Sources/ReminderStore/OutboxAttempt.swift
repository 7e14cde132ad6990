/// What recording a failed publication did to an outbox row.
public struct OutboxAttempt: Sendable, Equatable {
    /// The outbox row id.
    public var id: Int64
    /// The row's topic (unprefixed).
    public var topic: String
    /// Failed attempts so far, this one included.
    public var attempts: Int
    /// Whether the row is now quarantined (it was not before).
    public var isQuarantined: Bool

    /// Creates a record.
    public init(id: Int64, topic: String, attempts: Int, isQuarantined: Bool) {
        self.id = id
        self.topic = topic
        self.attempts = attempts
        self.isQuarantined = isQuarantined
    }
}
