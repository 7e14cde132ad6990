import AsyncSupport
import Foundation
import Kafka
import Logging
import ReminderDomain

/// Parks a message that cannot be processed on its topic's dead-letter topic,
/// with the reason, and waits for the broker's acknowledgement so the caller
/// may then commit the offset.
public struct DeadLetterWriter: Sendable {
    let producer: KafkaProducer
    let logger: Logger

    /// Writes through `producer`.
    public init(producer: KafkaProducer, logger: Logger) {
        self.producer = producer
        self.logger = logger
    }

    /// Sends `message` to `<topic>.dlq`; retries while the broker is away.
    /// The letter is the shape every stage parks (``DeadLetter``): the
    /// message's bytes kept exactly, the reason made safe.
    public func park(_ message: KafkaConsumerMessage, reason: String) async throws {
        let letter = DeadLetter(
            eventID: message.header("event_id") ?? UUID().uuidString.lowercased(),
            sourceTopic: message.topic,
            sourcePartition: Int(message.partition),
            sourceOffset: message.offset,
            reason: reason,
            failedAt: Date(),
            value: message.value,
            key: message.key
        )
        let eventID = letter.eventID
        let outgoing = KafkaProducerMessage(
            topic: TopicName.deadLetter(of: message.topic),
            key: message.key,
            value: try MessageCoding.encode(letter),
            headers: [KafkaHeader(key: "event_id", string: eventID), KafkaHeader(key: "reason", string: letter.reason)]
        )
        _ = try await withRetries(isRetriable: { ($0 as? KafkaError)?.isRetriable ?? false }) {
            try await producer.send(outgoing)
        }
        logger.warning("message parked on the dead-letter topic", metadata: [
            LogKey.eventID: "\(eventID)", LogKey.topic: "\(outgoing.topic)", LogKey.reason: "\(letter.reason)",
        ])
    }
}
