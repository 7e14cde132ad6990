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
    public func park(_ message: KafkaConsumerMessage, reason: String) async throws {
        let eventID = message.header("event_id") ?? UUID().uuidString.lowercased()
        let letter: JSONValue = .object([
            "event_id": .string(eventID),
            "source_topic": .string(message.topic),
            "source_partition": .number(Double(message.partition)),
            "source_offset": .number(Double(message.offset)),
            "reason": .string(reason),
            "failed_at": .string(Timestamp.format(Date())),
            "original_value": .string(String(decoding: message.value, as: UTF8.self)),
            "original_key": message.keyString.map(JSONValue.string) ?? .null,
        ])
        let outgoing = KafkaProducerMessage(
            topic: TopicName.deadLetter(of: message.topic),
            key: message.key,
            value: Array(try letter.jsonText().utf8),
            headers: [KafkaHeader(key: "event_id", string: eventID), KafkaHeader(key: "reason", string: reason)]
        )
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                _ = try await producer.send(outgoing)
                logger.warning("message parked on the dead-letter topic", metadata: [
                    LogKey.eventID: "\(eventID)", LogKey.topic: "\(outgoing.topic)", LogKey.reason: "\(reason)",
                ])
                return
            } catch let error as KafkaError where error.isRetriable {
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
