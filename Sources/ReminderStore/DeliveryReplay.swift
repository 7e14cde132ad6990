import Foundation
import ReminderContracts
import ReminderDomain

/// An operator's replay of one dead letter.
public struct DeliveryReplay: Sendable {
    /// Names the letter (dead-letter topic, partition, offset): a letter is replayed once.
    public var letterKey: String
    /// The unprefixed topic to publish to.
    public var topic: String
    /// The message key.
    public var key: String?
    /// The message's new event id.
    public var eventID: UUID
    /// The JSON value to publish (carrying `eventID`); with
    /// ``payloadBytes``, a readable copy of them.
    public var payload: String
    /// The exact bytes to publish when the parked message was not JSON that
    /// could be given a new event id: they go back verbatim (the new event id
    /// is then only in the `event_id` header).
    public var payloadBytes: [UInt8]?
    /// The delivery, when the letter holds one: its row is reopened.
    public var delivery: Delivery?
    /// The parked message's reason, for the log.
    public var reason: String

    /// Creates a replay request.
    public init(
        letterKey: String, topic: String, key: String?, eventID: UUID, payload: String, payloadBytes: [UInt8]? = nil,
        delivery: Delivery?, reason: String
    ) {
        self.letterKey = letterKey
        self.topic = topic
        self.key = key
        self.eventID = eventID
        self.payload = payload
        self.payloadBytes = payloadBytes
        self.delivery = delivery
        self.reason = reason
    }
}
