import AsyncSupport
import Foundation
import Kafka
import Logging
import Observability
import ReminderContracts
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
    private let configuration: DispatcherConfiguration
    private let logger: Logger
    private let readiness: Readiness?
    private let metrics = DispatcherMetrics()

    /// Creates a dispatcher; it writes everything, dead letters included,
    /// through the outbox. `readiness` learns when it consumes.
    public init(
        repository: any DispatchRepository,
        consumerConfiguration: KafkaConsumerConfiguration,
        configuration: DispatcherConfiguration,
        logger: Logger,
        readiness: Readiness? = nil
    ) {
        self.repository = repository
        self.consumerConfiguration = consumerConfiguration
        self.configuration = configuration
        self.logger = logger
        self.readiness = readiness
        readiness?.require("consumer", reason: "not consuming yet")
    }

    /// Dispatches until graceful shutdown.
    public func run() async throws {
        guard configuration.enabled else {
            logger.notice("reminders are disabled (REMINDERS_ENABLED=false); the dispatcher stays idle")
            readiness?.satisfy("consumer")
            try? await gracefulShutdown()
            return
        }
        let consumer = try KafkaConsumer.makeConsumer(configuration: consumerConfiguration, logger: logger)
        let deadLetters = DeadLetterWriter(repository: repository, deadLetterTopic: TopicName.deadLetter(of: TopicName.fired), logger: logger)
        let planner = DispatchPlanner(rateLimit: RateLimitWindow(limit: configuration.maxPerRecipientPerHour, window: configuration.rateWindowSeconds))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            logger.info("dispatcher started", metadata: [
                "group": "\(consumerConfiguration.groupID)", "batch_size": "\(configuration.batchSize)",
                "firings_per_transaction": "\(configuration.maximumFiringsPerTransaction)",
                "batches_in_flight": "\(configuration.batchesInFlight)",
            ])
            readiness?.satisfy("consumer")
            try await consumer.processBatches(
                maximumBatchSize: configuration.maximumFiringsPerTransaction, concurrency: configuration.batchesInFlight
            ) { batch in
                let started = ContinuousClock.now
                try await self.handle(batch, planner: planner, deadLetters: deadLetters)
                self.metrics.processed.increment(by: batch.count)
                if let last = batch.last, let lag = last.lag {
                    self.metrics.lag.record(topic: last.topic, partition: last.partition, lag: lag)
                }
                self.logger.debug("dispatched batch", metadata: [
                    "firings": "\(batch.count)", "dispatch": "\(ContinuousClock.now - started)",
                ])
            }
            group.cancelAll()
        }
    }

    private func handle(_ messages: [KafkaConsumerMessage], planner: DispatchPlanner, deadLetters: DeadLetterWriter) async throws {
        var events: [(FiredEvent, KafkaConsumerMessage)] = []
        for message in messages {
            do {
                events.append((try MessageCoding.decode(FiredEvent.self, from: message.value), message))
            } catch {
                try await deadLetters.park(message, reason: "malformed fired event: \(MessageCoding.describe(error))")
                metrics.deadLettered.increment()
            }
        }
        guard !events.isEmpty else { return }
        do {
            try await dispatchRetrying(events, planner: planner, deadLetters: deadLetters)
        } catch let error where Self.isRefusal(error) && events.count > 1 {
            // One firing the database refuses must not hold up the others:
            // take the batch apart and park only the one that fails.
            logger.warning("batch refused; dispatching its firings one by one", metadata: [LogKey.error: "\(error)"])
            for event in events {
                do {
                    try await dispatchRetrying([event], planner: planner, deadLetters: deadLetters)
                } catch let error where Self.isRefusal(error) {
                    try await deadLetters.park(event.1, reason: "cannot dispatch: \(error)")
                    metrics.deadLettered.increment()
                }
            }
        } catch let error where Self.isRefusal(error) {
            try await deadLetters.park(events[0].1, reason: "cannot dispatch: \(error)")
            metrics.deadLettered.increment()
        }
    }

    /// Dispatches, retrying as long as the failure is the database being
    /// away (the offsets stay uncommitted meanwhile); other errors are thrown,
    /// and `CancellationError` when shutdown ends the wait.
    private func dispatchRetrying(
        _ events: [(FiredEvent, KafkaConsumerMessage)], planner: DispatchPlanner, deadLetters: DeadLetterWriter
    ) async throws {
        let outcomes = try await withRetries(RetryBackoff(maximum: configuration.maximumBackoff), isRetriable: Self.isRetriable, onRetry: { retry in
            logger.warning("dispatch failed; retrying", metadata: [
                LogKey.eventID: "\(events.map { $0.0.eventID.uuidString.lowercased() }.joined(separator: ","))",
                LogKey.error: "\(retry.error)", LogKey.retryIn: "\(retry.delay)",
            ])
        }) {
            try await repository.dispatch(events.map(\.0), planner: planner)
        }
        for ((event, message), outcome) in zip(events, outcomes) {
            report(outcome, of: event)
            if outcome == .unknownReminder {
                try await deadLetters.park(message, reason: "reminder \(event.reminderID) does not exist")
                metrics.deadLettered.increment()
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
            metrics.record(plan)
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

    /// Whether the database refused the work for good (not a lost
    /// connection, not a shutdown ending the retries).
    static func isRefusal(_ error: any Error) -> Bool {
        !(error is CancellationError) && !isRetriable(error)
    }
}
