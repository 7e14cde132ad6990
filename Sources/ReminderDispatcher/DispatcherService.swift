import Foundation
import Kafka
import Logging
import ReminderDomain
import ReminderStore
import ServiceLifecycle

/// Consumes `reminders.fired`: fans each firing out to its recipients and
/// channels under preferences, quiet hours and the rate limit, writing the
/// decisions and deliveries in one transaction, and commits the offset only
/// after that transaction committed.
public final class DispatcherService: Service {
    private let repository: any DispatchRepository
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let producerConfiguration: KafkaProducerConfiguration
    private let configuration: DispatcherConfiguration
    private let logger: Logger

    /// Creates a dispatcher. The producer only writes dead letters.
    public init(
        repository: any DispatchRepository,
        consumerConfiguration: KafkaConsumerConfiguration,
        producerConfiguration: KafkaProducerConfiguration,
        configuration: DispatcherConfiguration,
        logger: Logger
    ) {
        self.repository = repository
        self.consumerConfiguration = consumerConfiguration
        self.producerConfiguration = producerConfiguration
        self.configuration = configuration
        self.logger = logger
    }

    /// Dispatches until graceful shutdown.
    public func run() async throws {
        guard configuration.enabled else {
            logger.notice("reminders are disabled (REMINDERS_ENABLED=false); the dispatcher stays idle")
            try? await gracefulShutdown()
            return
        }
        let consumer = try KafkaConsumer.makeConsumer(configuration: consumerConfiguration, logger: logger)
        let producer = try KafkaProducer.makeProducer(configuration: producerConfiguration, logger: logger)
        let deadLetters = DeadLetterWriter(producer: producer, logger: logger)
        let planner = DispatchPlanner(rateLimit: RateLimitWindow(limit: configuration.maxPerRecipientPerHour))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask { try await producer.run() }
            logger.info("dispatcher started", metadata: ["group": "\(consumerConfiguration.groupID)"])
            var uncommitted: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                try await handle(message, planner: planner, deadLetters: deadLetters)
                uncommitted.append(message)
                if uncommitted.count >= configuration.batchSize || !consumer.hasBufferedMessages {
                    try await consumer.commit(uncommitted)
                    uncommitted.removeAll(keepingCapacity: true)
                }
            }
            if !uncommitted.isEmpty { try? await consumer.commit(uncommitted) }
            group.cancelAll()
        }
    }

    private func handle(_ message: KafkaConsumerMessage, planner: DispatchPlanner, deadLetters: DeadLetterWriter) async throws {
        let event: FiredEvent
        do {
            event = try MessageCoding.decode(FiredEvent.self, from: message.value)
        } catch {
            try await deadLetters.park(message, reason: "malformed fired event: \(DecodingErrorText.describe(error))")
            return
        }
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                let outcome = try await repository.dispatch(event, planner: planner, now: Date())
                report(outcome, of: event)
                if outcome == .unknownReminder {
                    try await deadLetters.park(message, reason: "reminder \(event.reminderID) does not exist")
                }
                return
            } catch let error where Self.isRetriable(error) {
                // The database is away: keep the message (its offset stays
                // uncommitted) and try again.
                logger.warning("dispatch failed; retrying", metadata: [
                    LogKey.eventID: "\(event.eventID.uuidString.lowercased())", "error": "\(error)", "retry_in": "\(backoff)",
                ])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
            } catch {
                try await deadLetters.park(message, reason: "cannot dispatch: \(error)")
                return
            }
        }
    }

    private func report(_ outcome: DispatchOutcome, of event: FiredEvent) {
        let eventID = event.eventID.uuidString.lowercased()
        switch outcome {
        case .duplicate:
            logger.info("firing already dispatched; skipped", metadata: [LogKey.eventID: "\(eventID)", LogKey.reminderID: "\(event.reminderID)"])
        case .unknownReminder:
            logger.warning("firing names an unknown reminder", metadata: [LogKey.eventID: "\(eventID)", LogKey.reminderID: "\(event.reminderID)"])
        case .dispatched(let plan):
            for entry in plan.logEntries {
                logger.info("\(entry.status.rawValue)", metadata: [
                    LogKey.eventID: "\(eventID)",
                    LogKey.reminderID: "\(event.reminderID)",
                    LogKey.recipient: "\(entry.recipient?.description ?? "-")",
                    LogKey.channel: "\(entry.channel?.rawValue ?? "-")",
                    LogKey.reason: "\(entry.reason)",
                ])
            }
        }
    }

    static func isRetriable(_ error: any Error) -> Bool {
        StoreError.isRetriable(error)
    }
}
