import Foundation
import ReminderDomain
import ReminderStore

/// Puts dead letters' messages back on their topics, through the outbox so
/// the replay and its log row are one transaction.
public struct DeadLetterReplayer: Sendable {
    /// What became of one letter.
    public enum Outcome: Sendable, Equatable {
        /// Written to the outbox under a new event id.
        case replayed(eventID: UUID, topic: String)
        /// This letter was replayed before; nothing was written.
        case alreadyReplayed
        /// It cannot be replayed, for the reason given.
        case notReplayable(String)
    }

    let repository: any DeliveryRepository
    let topicPrefix: String

    /// Replays through `repository`; `topicPrefix` (`KAFKA_TOPIC_PREFIX`) is
    /// taken off source topic names, since the outbox stores them unprefixed.
    public init(repository: any DeliveryRepository, topicPrefix: String) {
        self.repository = repository
        self.topicPrefix = topicPrefix
    }

    /// Replays one parked message. A delivery goes back as attempt 0 with a
    /// new event id, and its row is reopened; any other JSON message gets a
    /// new event id and is otherwise kept as it was.
    public func replay(_ parked: ParkedMessage, now: Date = Date()) async throws -> Outcome {
        guard let letter = parked.letter else { return .notReplayable("the value is not a dead letter") }
        guard let original = letter.originalValue else { return .notReplayable("the letter holds no original value") }
        var topic = letter.sourceTopic
        if !topicPrefix.isEmpty, topic.hasPrefix(topicPrefix) { topic.removeFirst(topicPrefix.count) }
        let eventID = UUID()
        let payload: String
        var delivery: Delivery?
        if Channel.allCases.contains(where: { $0.deliveryTopic == topic }) {
            guard var decoded = try? MessageCoding.decode(Delivery.self, from: Array(original.utf8)) else {
                return .notReplayable("the original message is not a readable delivery")
            }
            decoded.eventID = eventID
            decoded.attempt = 0
            decoded.notBefore = nil
            delivery = decoded
            payload = String(decoding: try MessageCoding.encode(decoded), as: UTF8.self)
        } else {
            guard case .object(var object)? = try? MessageCoding.decode(JSONValue.self, from: Array(original.utf8)) else {
                return .notReplayable("the original message is not a JSON object")
            }
            object["event_id"] = .string(eventID.uuidString.lowercased())
            payload = try JSONValue.object(object).jsonText()
        }
        let request = DeliveryReplay(
            letterKey: parked.letterKey, topic: topic, key: letter.originalKey, eventID: eventID,
            payload: payload, delivery: delivery, reason: letter.reason
        )
        return try await repository.replay(request, now: now) ? .replayed(eventID: eventID, topic: topic) : .alreadyReplayed
    }
}
