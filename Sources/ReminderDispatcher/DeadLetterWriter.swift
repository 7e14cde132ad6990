import AsyncSupport
import Foundation
import Kafka
import Logging
import ReminderContracts
import ReminderDomain
import ReminderStore

/// Parks a message that cannot be processed on its topic's dead-letter topic,
/// with the reason, through the outbox as every stage does, and returns once
/// the letter is stored so the caller may then commit the offset.
public struct DeadLetterWriter: Sendable {
    let repository: any DispatchRepository
    let deadLetterTopic: String
    let logger: Logger

    /// Parks on `deadLetterTopic` (unprefixed) through `repository`.
    public init(repository: any DispatchRepository, deadLetterTopic: String, logger: Logger) {
        self.repository = repository
        self.deadLetterTopic = deadLetterTopic
        self.logger = logger
    }

    /// Parks `message`; retries while the database is away. The letter is
    /// the shape every stage parks (``DeadLetter``): the message's bytes kept
    /// exactly, the reason made safe.
    public func park(_ message: KafkaConsumerMessage, reason: String) async throws {
        let letter = DeadLetter(parking: message, reason: reason)
        try await withRetries(isRetriable: StoreError.isRetriable, onRetry: { retry in
            logger.warning("database unavailable; retrying", metadata: [LogKey.error: "\(retry.error)", LogKey.retryIn: "\(retry.delay)"])
        }) {
            try await repository.park(letter, on: deadLetterTopic)
        }
        logger.warning("message parked on the dead-letter topic", metadata: [
            LogKey.eventID: "\(letter.eventID)", LogKey.topic: "\(deadLetterTopic)", LogKey.reason: "\(letter.sanitised().reason)",
        ])
    }
}
