import Foundation
import ReminderContracts
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

    /// Replays one parked message, from the exact bytes the letter kept. A
    /// readable delivery goes back as attempt 0 with a new event id, and its
    /// row is reopened; any other JSON object gets a new event id and is
    /// otherwise kept as it was (the stages dedupe on event ids); anything
    /// else (not JSON, not UTF-8) goes back byte for byte, its new event id
    /// only in the `event_id` header.
    public func replay(_ parked: ParkedMessage, now: Date = Date()) async throws -> Outcome {
        guard let letter = parked.letter else { return .notReplayable("the value is not a dead letter") }
        guard let original = letter.originalBytes else { return .notReplayable("the letter holds no original value") }
        var topic = letter.sourceTopic
        if !topicPrefix.isEmpty, topic.hasPrefix(topicPrefix) { topic.removeFirst(topicPrefix.count) }
        let eventID = UUID()
        var payload = ""
        var payloadBytes: [UInt8]?
        var delivery: Delivery?
        if Channel.allCases.contains(where: { $0.deliveryTopic == topic }),
           var decoded = try? MessageCoding.decode(Delivery.self, from: original) {
            decoded.eventID = eventID
            decoded.attempt = 0
            decoded.notBefore = nil
            delivery = decoded
            payload = try decoded.jsonText()
        } else if let renewed = Self.withEventID(eventID, original) {
            payload = renewed
        } else {
            payloadBytes = original
        }
        let request = DeliveryReplay(
            letterKey: parked.letterKey, topic: topic, key: letter.originalKey, eventID: eventID,
            payload: payload, payloadBytes: payloadBytes, delivery: delivery, reason: letter.reason
        )
        return try await repository.replay(request, now: now) ? .replayed(eventID: eventID, topic: topic) : .alreadyReplayed
    }

    /// `bytes` as a JSON object with `event_id` replaced, when they are one
    /// (and PostgreSQL can store it: jsonb refuses `\u0000`).
    static func withEventID(_ eventID: UUID, _ bytes: [UInt8]) -> String? {
        guard case .object(var object)? = try? MessageCoding.decode(JSONValue.self, from: bytes), !containsNUL(.object(object)) else {
            return nil
        }
        object["event_id"] = .string(eventID.uuidString.lowercased())
        return try? JSONValue.object(object).jsonText()
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.contains(0)
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        case .null, .bool, .integer, .number: false
        }
    }
}
