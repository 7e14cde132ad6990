import Foundation
import Kafka
import Logging
import Observability
import ReminderDomain
import ReminderStore
import ServiceLifecycle

/// Consumes one channel's delivery topic and delivers each message: by
/// e-mail, to Mattermost, or into the in-app inbox.
///
/// Every attempt is recorded in one transaction (the delivery's row, a log
/// row, and the next attempt or the dead letter through the outbox) before
/// the offset is committed, so a failed send never holds up the partition:
/// the retry is a new message, published when its backoff has passed.
public final class DeliveryWorker: Service {
    private let repository: any DeliveryRepository
    private let sender: (any DeliverySender)?
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let configuration: DeliveryWorkerConfiguration
    private let logger: Logger
    private let readiness: Readiness?
    private let metrics: DeliveryMetrics

    /// Creates a worker. `sender` is required for e-mail and Mattermost and
    /// unused for the in-app inbox. `readiness` learns when it consumes.
    public init(
        repository: any DeliveryRepository,
        sender: (any DeliverySender)?,
        consumerConfiguration: KafkaConsumerConfiguration,
        configuration: DeliveryWorkerConfiguration,
        logger: Logger,
        readiness: Readiness? = nil
    ) {
        self.repository = repository
        self.sender = sender
        self.consumerConfiguration = consumerConfiguration
        self.configuration = configuration
        self.logger = logger
        self.readiness = readiness
        self.metrics = DeliveryMetrics(channel: configuration.channel)
        readiness?.require("consumer", reason: "not consuming yet")
    }

    /// Delivers until graceful shutdown; the message in hand is finished and
    /// committed first.
    public func run() async throws {
        if configuration.channel != .frontend, sender == nil {
            throw DeliveryError(.configuration, "the \(configuration.channel.rawValue) worker needs a sender")
        }
        let consumer = try KafkaConsumer.makeConsumer(configuration: consumerConfiguration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            logger.info("delivery worker started", metadata: [
                LogKey.channel: "\(configuration.channel.rawValue)", "group": "\(consumerConfiguration.groupID)",
                "enabled": "\(configuration.enabled)", "dry_run": "\(configuration.dryRun)",
            ])
            readiness?.satisfy("consumer")
            var uncommitted: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                try await handle(message)
                metrics.processed.increment()
                if let lag = message.lag { metrics.lag.record(topic: message.topic, partition: message.partition, lag: lag) }
                uncommitted.append(message)
                if uncommitted.count >= configuration.batchSize || !consumer.hasBufferedMessages {
                    guard try await consumer.commitUnlessClosed(uncommitted) else {
                        // Their outcomes are in the database; redelivered, the worker
                        // recognises them as handled.
                        logger.info("stopped before committing the last offsets", metadata: ["messages": "\(uncommitted.count)"])
                        uncommitted.removeAll()
                        break
                    }
                    uncommitted.removeAll(keepingCapacity: true)
                }
            }
            if !uncommitted.isEmpty { try? await consumer.commit(uncommitted) }
            group.cancelAll()
        }
    }

    /// Handles one message completely: when this returns, its outcome is committed to the database.
    func handle(_ message: KafkaConsumerMessage) async throws {
        let delivery: Delivery
        do {
            delivery = try MessageCoding.decode(Delivery.self, from: message.value)
            guard delivery.channel == configuration.channel else {
                throw DeliveryError(.configuration, "a \(delivery.channel.rawValue) delivery on the \(configuration.channel.rawValue) topic")
            }
        } catch {
            try await parkUnreadable(message, reason: "unreadable delivery: \(MessageCoding.describe(error))")
            return
        }
        do {
            try await deliver(delivery, message: message)
        } catch let error where !(error is CancellationError) && !StoreError.isRetriable(error) {
            // The database refused what we recorded (e.g. the delivery names a
            // user that does not exist): park the message rather than stop.
            try await parkUnreadable(message, reason: "cannot record delivery \(delivery.deliveryID): \(error)")
        }
    }

    private func deliver(_ delivery: Delivery, message: KafkaConsumerMessage) async throws {
        var metadata: Logger.Metadata = [
            LogKey.deliveryID: "\(delivery.deliveryID)", LogKey.eventID: "\(delivery.eventID.uuidString.lowercased())",
            LogKey.reminderID: "\(delivery.reminderID)", LogKey.recipient: "\(delivery.recipient)",
            LogKey.channel: "\(delivery.channel.rawValue)", "attempt": "\(delivery.attempt)",
        ]
        if let state = try await withStoreRetry({ try await self.repository.state(ofDelivery: delivery.deliveryID) }),
           state.hasHandled(attempt: delivery.attempt) {
            logger.info("delivery handled before; skipped", metadata: metadata.merging(["status": "\(state.status.rawValue)"]) { $1 })
            return
        }
        if configuration.channel == .frontend {
            let written = try await withStoreRetry { try await self.repository.deliverToInbox(delivery, now: Date()) }
            if written { metrics.recordLatency(of: delivery, outcome: "sent") }
            logger.info(written ? "in-app notification written" : "in-app notification written before; skipped", metadata: metadata)
            return
        }
        guard configuration.enabled else {
            try await record(.skipped(reason: configuration.disabledReason), of: delivery, metadata: metadata)
            return
        }
        guard let sender else { return }
        let rendered: RenderedNotification
        do {
            rendered = try sender.render(delivery)
        } catch {
            try await record(.dead(reason: "cannot render: \(error)", letter: letter(for: message, reason: "cannot render: \(error)"),
                                   deadLetterTopic: deadLetterTopic), of: delivery, metadata: metadata)
            return
        }
        for (key, value) in rendered.summary { metadata[key] = "\(value)" }
        if configuration.dryRun {
            try await record(.dryRun(rendered: rendered.document), of: delivery, metadata: metadata)
            return
        }
        let outcome = try await sender.send(rendered)
        let result: DeliveryResult
        switch outcome {
        case .delivered(let detail):
            metadata["detail"] = "\(detail)"
            result = .sent(messageID: rendered.messageID)
        case .transient(let reason, let retryAfter):
            if configuration.retryPolicy.allowsRetry(afterAttempt: delivery.attempt) {
                let pause = configuration.retryPolicy.delay(afterAttempt: delivery.attempt, retryAfter: retryAfter)
                var next = delivery
                next.eventID = UUID()
                next.attempt += 1
                next.notBefore = nil
                result = .retry(reason: reason, next: next, availableAt: Date().addingTimeInterval(pause))
            } else {
                let why = "gave up after \(delivery.attempt + 1) attempts: \(reason)"
                result = .dead(reason: why, letter: letter(for: message, reason: why), deadLetterTopic: deadLetterTopic)
            }
        case .permanent(let reason):
            result = .dead(reason: reason, letter: letter(for: message, reason: reason), deadLetterTopic: deadLetterTopic)
        }
        let recorded = try await record(result, of: delivery, metadata: metadata)
        if !recorded, case .sent = result {
            // Another worker (or this one before a crash) recorded this
            // attempt while we were sending: the recipient got it twice.
            logger.warning("delivery was recorded by someone else while it was sent: sent twice", metadata: metadata)
        }
    }

    @discardableResult
    private func record(_ result: DeliveryResult, of delivery: Delivery, metadata: Logger.Metadata) async throws -> Bool {
        let recorded = try await withStoreRetry { try await self.repository.record(result, of: delivery, now: Date()) }
        var metadata = metadata
        switch result {
        case .sent:
            logger.info("delivered", metadata: metadata)
            if recorded { metrics.recordLatency(of: delivery, outcome: "sent") }
        case .dryRun:
            logger.notice("dry run (REMINDERS_DRY_RUN=true): rendered and logged, not sent", metadata: metadata)
            if recorded { metrics.recordLatency(of: delivery, outcome: "dry_run") }
        case .skipped(let reason):
            metadata[LogKey.reason] = "\(reason)"
            logger.info("skipped", metadata: metadata)
        case .retry(let reason, _, let availableAt):
            metadata[LogKey.reason] = "\(reason)"
            metadata["retry_at"] = "\(Timestamp.format(availableAt))"
            logger.warning("delivery failed; retry scheduled", metadata: metadata)
            if recorded {
                metrics.failed.increment()
                metrics.retried.increment()
            }
        case .dead(let reason, _, _):
            metadata[LogKey.reason] = "\(reason)"
            logger.error("delivery failed; parked on the dead-letter topic", metadata: metadata)
            if recorded {
                metrics.failed.increment()
                metrics.deadLettered.increment()
                metrics.recordLatency(of: delivery, outcome: "failed")
            }
        }
        if !recorded {
            logger.info("outcome recorded before; nothing written", metadata: metadata)
        }
        return recorded
    }

    private var deadLetterTopic: String { TopicName.deadLetter(of: configuration.channel.deliveryTopic) }

    private func letter(for message: KafkaConsumerMessage, reason: String) -> DeadLetter {
        DeadLetter(
            eventID: message.header("event_id") ?? UUID().uuidString.lowercased(),
            sourceTopic: message.topic,
            sourcePartition: Int(message.partition),
            sourceOffset: message.offset,
            reason: reason,
            failedAt: Date(),
            originalValue: String(decoding: message.value, as: UTF8.self),
            originalKey: message.keyString
        )
    }

    private func parkUnreadable(_ message: KafkaConsumerMessage, reason: String) async throws {
        let letter = letter(for: message, reason: reason)
        let parked = try await withStoreRetry {
            try await self.repository.parkUnreadable(letter, channel: self.configuration.channel, deadLetterTopic: self.deadLetterTopic, now: Date())
        }
        if parked { metrics.deadLettered.increment() }
        logger.error(parked ? "unreadable message parked on the dead-letter topic" : "unreadable message parked before", metadata: [
            LogKey.topic: "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)", LogKey.reason: "\(reason)",
        ])
    }

    /// Runs `body` until it succeeds or fails for a reason other than the
    /// database being away; while it is away, the message stays in hand.
    private func withStoreRetry<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                return try await body()
            } catch let error where StoreError.isRetriable(error) {
                logger.warning("database unavailable; retrying", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maximumStoreBackoff)
            }
        }
    }
}

