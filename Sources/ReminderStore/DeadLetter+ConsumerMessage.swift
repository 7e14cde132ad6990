import Foundation
import Kafka
import ReminderContracts

extension DeadLetter {
    /// The letter that parks `message` as it came off the broker: its id
    /// header (a fresh id when it has none), where it was read, its exact
    /// bytes and `reason`. Every consuming stage parks through this.
    public init(parking message: KafkaConsumerMessage, reason: String, failedAt: Date = Date()) {
        self.init(
            eventID: message.header(MessageHeader.eventID) ?? UUID().uuidString.lowercased(),
            sourceTopic: message.topic,
            sourcePartition: Int(message.partition),
            sourceOffset: message.offset,
            reason: reason,
            failedAt: failedAt,
            value: message.value,
            key: message.key
        )
    }
}
