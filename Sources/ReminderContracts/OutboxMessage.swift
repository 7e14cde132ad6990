import Foundation

/// A message a stage emits, as stored in `reminder_outbox` until the relay has
/// published it.
public struct OutboxMessage: Sendable, Equatable {
    /// The outbox row id; publication follows id order.
    public var id: Int64
    /// The message's own id, carried in its value and in the `event_id` header.
    public var eventID: UUID
    /// Destination topic.
    public var topic: String
    /// Partitioning key; `nil` lets the broker choose.
    public var key: String?
    /// The value's bytes, verbatim: the JSON text, or the exact bytes of a
    /// replayed message that is not JSON.
    public var payload: [UInt8]
    /// Header names and values.
    public var headers: [String: String]

    /// Creates a message.
    public init(id: Int64, eventID: UUID, topic: String, key: String?, payload: [UInt8], headers: [String: String]) {
        self.id = id
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
    }
}
