import Foundation

/// An outbox row the relay set aside, as an operator lists it.
public struct QuarantinedOutboxRow: Sendable, Equatable {
    /// The outbox row id (what `reminders outbox requeue` takes).
    public var id: Int64
    /// The message's event id.
    public var eventID: UUID
    /// Its topic, unprefixed.
    public var topic: String
    /// Its partitioning key.
    public var key: String?
    /// The last error.
    public var error: String
    /// When it was quarantined.
    public var quarantinedAt: Date
    /// Failed attempts to publish it.
    public var attempts: Int

    /// Creates a listing entry.
    public init(id: Int64, eventID: UUID, topic: String, key: String?, error: String, quarantinedAt: Date, attempts: Int) {
        self.id = id
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.error = error
        self.quarantinedAt = quarantinedAt
        self.attempts = attempts
    }
}
