import AsyncSupport
import Foundation
import Kafka
import Logging
import Observability
import ReminderContracts
import ReminderDomain
import ReminderStore
import ServiceLifecycle
import Synchronization
import Timestamps

/// Consumes one channel's delivery topic and delivers each message: by
/// e-mail, to Mattermost or to a webhook subscription. (The in-app channel
/// has no worker: the dispatcher writes its inbox entries.)
///
/// Messages are taken in batches (what has arrived, up to
/// ``DeliveryWorkerConfiguration/batchSize``). A batch's deliveries are
/// claimed, sent concurrently and recorded in one transaction (the
/// delivery's row, a log row, and the next attempt or the dead letter through
/// the outbox) before the offsets are committed, so a failed send never holds
/// up the partition (the retry is a new message, published when its backoff
/// has passed) and a rival worker never sends what this one claimed.
public final class DeliveryWorker: Service {
    private let repository: any DeliveryRepository
    private let sender: (any DeliverySender)?
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let configuration: DeliveryWorkerConfiguration
    /// The channel's delivery topic.
    private let topic: String
    private let logger: Logger
    private let readiness: Readiness?
    private let metrics: DeliveryMetrics
    private let handled = Atomic<Int>(0)
    private let journal: AcceptanceJournal
    private let sendSlots: AsyncSemaphore

    /// Creates a worker for a channel with a delivery topic (not the in-app
    /// one, which has none). `sender` is required; `readiness` learns when it consumes.
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
        guard let topic = configuration.channel.deliveryTopic else {
            preconditionFailure("the \(configuration.channel.rawValue) channel has no delivery topic, so no worker")
        }
        self.configuration = configuration
        self.topic = topic
        self.logger = logger
        self.readiness = readiness
        self.metrics = DeliveryMetrics(channel: configuration.channel, topic: topic)
        self.journal = AcceptanceJournal(repository: repository, logger: logger)
        self.sendSlots = AsyncSemaphore(permits: configuration.sendsInFlight, demandPerPermit: configuration.sendsPerSlot)
        readiness?.require("consumer", reason: "not consuming yet")
    }

    /// Messages handled so far (their outcomes are in the database), duplicates included.
    public var handledMessages: Int { handled.load(ordering: .relaxed) }

    /// Delivers until graceful shutdown; the batches in hand are finished
    /// (sent and recorded) first.
    public func run() async throws {
        if sender == nil {
            throw DeliveryError(.configuration, "the \(configuration.channel.rawValue) worker needs a sender")
        }
        let consumer = try KafkaConsumer.makeConsumer(configuration: consumerConfiguration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            logger.info("delivery worker started", metadata: [
                LogKey.channel: "\(configuration.channel.rawValue)", "group": "\(consumerConfiguration.groupID)",
                "enabled": "\(configuration.enabled)", "dry_run": "\(configuration.dryRun)",
                "batch_size": "\(configuration.batchSize)", "batches_in_flight": "\(configuration.batchesInFlight)",
            ])
            readiness?.satisfy("consumer")
            try await consumer.processBatches(
                maximumBatchSize: configuration.batchSize, concurrency: configuration.batchesInFlight
            ) { batch in
                try await self.handle(batch)
                self.handled.add(batch.count, ordering: .relaxed)
                self.metrics.processed.increment(by: batch.count)
                if let last = batch.last, let lag = last.lag {
                    self.metrics.lag.record(topic: last.topic, partition: last.partition, lag: lag)
                }
            }
            group.cancelAll()
        }
    }

    /// Handles a batch completely: when this returns, every message's outcome
    /// is committed to the database (or it was handled before).
    func handle(_ messages: [KafkaConsumerMessage]) async throws {
        var deliveries: [Delivery] = []
        var sources: [String: KafkaConsumerMessage] = [:]
        for message in messages {
            do {
                let delivery = try MessageCoding.decode(Delivery.self, from: message.value)
                guard delivery.channel == configuration.channel else {
                    throw DeliveryError(.configuration, "a \(delivery.channel.rawValue) delivery on the \(configuration.channel.rawValue) topic")
                }
                deliveries.append(delivery)
                sources[delivery.deliveryID] = message
            } catch {
                try await parkUnreadable(message, reason: "unreadable delivery: \(MessageCoding.describe(error))")
            }
        }
        guard !deliveries.isEmpty else { return }
        do {
            try await deliver(deliveries, sources: sources)
        } catch let error where Self.isRefusal(error) {
            guard deliveries.count > 1 else {
                try await parkRefused(deliveries[0], source: sources[deliveries[0].deliveryID]!, error: error)
                return
            }
            // The database refused the batch (e.g. a value it cannot store):
            // find the one it refuses by going one by one.
            logger.warning("batch refused; delivering its messages one by one", metadata: [LogKey.error: "\(error)"])
            for delivery in deliveries {
                do {
                    try await deliver([delivery], sources: sources)
                } catch let error where Self.isRefusal(error) {
                    try await parkRefused(delivery, source: sources[delivery.deliveryID]!, error: error)
                }
            }
        }
    }

    /// Whether the database refused the work for good (not a lost connection, not a shutdown).
    private static func isRefusal(_ error: any Error) -> Bool {
        !(error is CancellationError) && !StoreError.isRetriable(error)
    }

    private func parkRefused(_ delivery: Delivery, source: KafkaConsumerMessage, error: any Error) async throws {
        try await parkUnreadable(source, reason: "cannot record delivery \(delivery.deliveryID): \(error)")
    }

    /// Claims, sends and records `deliveries` in one transaction; while the
    /// database is away, keeps them in hand and tries again. If the sends went
    /// out but their transaction failed, only the recording is repeated.
    private func deliver(_ deliveries: [Delivery], sources: [String: KafkaConsumerMessage]) async throws {
        let records: [DeliveryRecord]
        do {
            records = try await withStoreRetry {
                try await self.repository.deliver(deliveries, now: Date()) { claimed in
                    try await self.act(on: claimed, sources: sources)
                }
            }
        } catch let unrecorded as UnrecordedDeliveries {
            logger.warning("recording sent deliveries failed; recording again", metadata: [LogKey.error: "\(unrecorded.underlying)"])
            let recorded = try await withStoreRetry { try await self.repository.record(unrecorded.records, now: Date()) }
            let recordedIDs = Set(recorded.map(\.delivery.deliveryID))
            for record in unrecorded.records where !recordedIDs.contains(record.delivery.deliveryID) {
                if case .sent = record.result {
                    // Another worker recorded it while this one sent it.
                    logger.warning("delivery was recorded by someone else while it was sent: sent twice", metadata: metadata(of: record.delivery))
                }
            }
            records = recorded
        }
        reportRecorded(records, of: deliveries)
    }

    private func reportRecorded(_ records: [DeliveryRecord], of deliveries: [Delivery]) {
        let handledBefore = deliveries.count - records.count
        if handledBefore > 0 {
            logger.info("deliveries handled before; skipped", metadata: [LogKey.channel: "\(configuration.channel.rawValue)", "count": "\(handledBefore)"])
        }
        for record in records { report(record) }
    }

    /// Decides each claimed delivery's result, sending the sendable ones
    /// concurrently (`sendSlots` bounds how many are in flight).
    private func act(on deliveries: [Delivery], sources: [String: KafkaConsumerMessage]) async throws -> [DeliveryResult] {
        guard configuration.enabled else {
            return deliveries.map { _ in .skipped(reason: configuration.disabledReason) }
        }
        guard let sender else { throw DeliveryError(.configuration, "no sender") }
        var results = [DeliveryResult?](repeating: nil, count: deliveries.count)
        var toSend: [Int: RenderedNotification] = [:]
        for (index, delivery) in deliveries.enumerated() {
            do {
                let rendered = try sender.render(delivery)
                if configuration.dryRun {
                    results[index] = .dryRun(rendered: rendered.document)
                } else {
                    toSend[index] = rendered
                }
            } catch {
                let reason = "cannot render: \(error)"
                results[index] = .dead(reason: reason, letter: letter(for: sources[delivery.deliveryID], delivery: delivery, reason: reason),
                                       deadLetterTopic: deadLetterTopic)
            }
        }
        // At most `sendsInFlight` sends at once across the worker's batches,
        // fewer while few wait (`sendsPerSlot`), each holding its slot until
        // its acceptance is noted: a crash repeats no more sends than that.
        try await withThrowingTaskGroup(of: (Int, SendOutcome).self) { group in
            for (index, rendered) in toSend {
                let delivery = deliveries[index]
                group.addTask {
                    try await self.sendSlots.withPermit {
                        let outcome = try await sender.send(rendered)
                        if case .delivered = outcome {
                            await self.journal.note(DeliveryAcceptance(
                                deliveryID: delivery.deliveryID, attempt: delivery.attempt, messageID: rendered.messageID
                            ))
                        }
                        return (index, outcome)
                    }
                }
            }
            for try await (index, outcome) in group {
                results[index] = result(of: outcome, for: deliveries[index], rendered: toSend[index]!,
                                        source: sources[deliveries[index].deliveryID])
            }
        }
        return results.map { $0! }
    }

    /// What a send's outcome means for the delivery: sent, retried later, or dead.
    private func result(of outcome: SendOutcome, for delivery: Delivery, rendered: RenderedNotification, source: KafkaConsumerMessage?) -> DeliveryResult {
        switch outcome {
        case .delivered:
            return .sent(messageID: rendered.messageID)
        case .transient(let reason, let retryAfter):
            guard configuration.retryPolicy.allowsRetry(afterAttempt: delivery.attempt) else {
                let why = "gave up after \(delivery.attempt + 1) attempts: \(reason)"
                return .dead(reason: why, letter: letter(for: source, delivery: delivery, reason: why), deadLetterTopic: deadLetterTopic)
            }
            let pause = configuration.retryPolicy.delay(afterAttempt: delivery.attempt, retryAfter: retryAfter)
            var next = delivery
            next.eventID = UUID()
            next.attempt += 1
            next.notBefore = nil
            return .retry(reason: reason, next: next, availableAt: Date().addingTimeInterval(pause))
        case .permanent(let reason):
            return .dead(reason: reason, letter: letter(for: source, delivery: delivery, reason: reason), deadLetterTopic: deadLetterTopic)
        }
    }

    private func metadata(of delivery: Delivery) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            LogKey.deliveryID: "\(delivery.deliveryID)", LogKey.eventID: "\(delivery.eventID.uuidString.lowercased())",
            LogKey.reminderID: "\(delivery.reminderID)", LogKey.recipient: "\(delivery.recipient)",
            LogKey.channel: "\(delivery.channel.rawValue)", "attempt": "\(delivery.attempt)",
        ]
        if let subscription = delivery.webhookSubscriptionID {
            metadata[LogKey.recipient] = "webhook:\(subscription.uuidString.lowercased())"
            metadata[LogKey.webhookSubscriptionID] = "\(subscription.uuidString.lowercased())"
        }
        return metadata
    }

    /// Logs a recorded outcome and counts it.
    private func report(_ record: DeliveryRecord) {
        let delivery = record.delivery
        var metadata = metadata(of: delivery)
        switch record.result {
        case .sent(let messageID):
            if let messageID { metadata["message_id"] = "\(messageID)" }
            logger.info("delivered", metadata: metadata)
            metrics.recordLatency(of: delivery, outcome: "sent")
        case .dryRun:
            logger.notice("dry run (REMINDERS_DRY_RUN=true): rendered and logged, not sent", metadata: metadata)
            metrics.recordLatency(of: delivery, outcome: "dry_run")
        case .skipped(let reason):
            metadata[LogKey.reason] = "\(reason)"
            logger.info("skipped", metadata: metadata)
        case .retry(let reason, _, let availableAt):
            metadata[LogKey.reason] = "\(reason)"
            metadata["retry_at"] = "\(Timestamp.format(availableAt))"
            logger.warning("delivery failed; retry scheduled", metadata: metadata)
            metrics.failed.increment()
            metrics.retried.increment()
        case .dead(let reason, _, _):
            metadata[LogKey.reason] = "\(reason)"
            logger.error("delivery failed; parked on the dead-letter topic", metadata: metadata)
            metrics.failed.increment()
            metrics.deadLettered.increment()
            metrics.recordLatency(of: delivery, outcome: "failed")
        }
    }

    private var deadLetterTopic: String { TopicName.deadLetter(of: topic) }

    /// The dead letter of a delivery: from the message it came in, or (when
    /// that is unknown) from the delivery itself.
    private func letter(for message: KafkaConsumerMessage?, delivery: Delivery, reason: String) -> DeadLetter {
        if let message { return DeadLetter(parking: message, reason: reason) }
        return DeadLetter(
            eventID: delivery.eventID.uuidString.lowercased(), sourceTopic: topic, sourcePartition: nil,
            sourceOffset: nil, reason: reason, failedAt: Date(),
            value: (try? delivery.jsonText()).map { Array($0.utf8) }, key: Array(delivery.messageKey.utf8)
        )
    }

    private func parkUnreadable(_ message: KafkaConsumerMessage, reason: String) async throws {
        let letter = DeadLetter(parking: message, reason: reason)
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
    /// At graceful shutdown the wait ends and `CancellationError` is thrown:
    /// the batch stays uncommitted and is redelivered.
    private func withStoreRetry<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        try await withRetries(RetryBackoff(maximum: configuration.maximumStoreBackoff), isRetriable: StoreError.isRetriable, onRetry: { retry in
            logger.warning("database unavailable; retrying", metadata: [LogKey.error: "\(retry.error)", LogKey.retryIn: "\(retry.delay)"])
        }) {
            try await body()
        }
    }
}

