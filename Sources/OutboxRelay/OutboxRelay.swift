import AsyncSupport
import Kafka
import Logging
import Metrics
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import ServiceLifecycle
import Synchronization

/// Publishes every outbox row to Kafka, in id order, and marks it published
/// only after the broker acknowledged it.
///
/// A row that cannot be published for its own sake (it cannot be read, the
/// broker refuses the record, or it fails ``OutboxRelayConfiguration/maximumAttempts``
/// times) is quarantined, so the rows after it go on; an operator lists and
/// requeues quarantined rows (`reminders outbox`). A broker outage never
/// quarantines anything: those rows wait and are tried again.
///
/// One relay per database is active at a time: leadership is a session-level
/// advisory lock held by the connection that also reads and marks the outbox,
/// so losing that connection loses leadership at the same moment. Other relays
/// wait as hot standbys. A single active relay keeps per-key order without
/// coordinating partitions between relays, and one relay already publishes
/// well over the pipeline's needs (see README, Benchmarks).
public final class OutboxRelay: Service {
    private let postgres: PostgresClient
    private let postgresConfiguration: PostgresConfiguration
    private let producerConfiguration: KafkaProducerConfiguration
    private let configuration: OutboxRelayConfiguration
    private let logger: Logger
    private let loop = WakeableWork()
    private let published = Atomic<Int>(0)
    private let reads = Atomic<Int>(0)
    private let lastBacklog = Atomic<Int>(0)
    private let backlogCounts = Atomic<Int>(0)
    private let publishedCounters = Mutex<[String: Counter]>([:])
    private let quarantinedCounters = Mutex<[String: Counter]>([:])
    private let backlogGauge = Gauge(label: MetricName.outboxBacklog)

    /// Creates a relay. `postgres` carries the NOTIFY wake-ups; the relay opens
    /// its own leadership connection from `postgresConfiguration`.
    public init(
        postgres: PostgresClient,
        postgresConfiguration: PostgresConfiguration,
        producerConfiguration: KafkaProducerConfiguration,
        configuration: OutboxRelayConfiguration = .init(),
        logger: Logger
    ) {
        self.postgres = postgres
        self.postgresConfiguration = postgresConfiguration
        self.producerConfiguration = producerConfiguration
        self.configuration = configuration
        self.logger = logger
    }

    /// Rows this relay has published and marked since it started.
    public var publishedCount: Int { published.load(ordering: .relaxed) }

    /// Reads of the outbox this relay has made since it started.
    public var outboxReadCount: Int { reads.load(ordering: .relaxed) }

    /// The backlog this relay last reported: due rows not yet published.
    public var reportedBacklog: Int { lastBacklog.load(ordering: .relaxed) }

    /// Times this relay counted the outbox for its backlog, rather than
    /// knowing it from a read that saw every due row.
    public var backlogQueryCount: Int { backlogCounts.load(ordering: .relaxed) }

    private func recordBacklog(_ backlog: Int) {
        lastBacklog.store(backlog, ordering: .relaxed)
        backlogGauge.record(backlog)
    }

    /// Relays until graceful shutdown; a batch in flight is finished first.
    /// Every NOTIFY on `reminder_outbox` wakes it; so does the listener's
    /// reconnect marker, since NOTIFYs may have been missed meanwhile.
    public func run() async throws {
        try await loop.run(wakingOn: postgres.listen(on: "reminder_outbox")) {
            try await self.relayWhileRunning()
        }
    }

    private var isStopping: Bool { loop.isStopping }
    private var wake: WakeSignal { loop.wake }

    private var backoff: RetryBackoff { RetryBackoff(maximum: configuration.maximumBackoff) }

    private func relayWhileRunning() async throws {
        // A NOTIFY or shutdown ends a wait early; shutdown also ends the retries.
        let wait = RetryWait { delay in
            await self.wake.wait(upTo: delay)
            return !self.isStopping
        }
        while !isStopping {
            do {
                try await withRetries(backoff, wait: wait, isRetriable: { !($0 is CancellationError) && !self.isStopping }, onRetry: { retry in
                    self.logger.error("outbox relay interrupted; retrying", metadata: [LogKey.error: "\(retry.error)", LogKey.retryIn: "\(retry.delay)"])
                }) {
                    let connection = try await PostgresConnection.connect(configuration: postgresConfiguration, logger: logger)
                    defer { connection.close() }
                    // Not the leader before shutdown: the loop ends.
                    guard try await acquireLeadership(on: connection) else { return }
                    logger.info("outbox relay is the active relay")
                    try await relayAsLeader(on: connection)
                }
            } catch {
                // Only at shutdown or cancellation: every other failure is retried.
                return
            }
        }
    }

    /// Waits as a standby until this relay holds the leadership lock; `false`
    /// when shutdown came first.
    private func acquireLeadership(on connection: PostgresConnection) async throws -> Bool {
        var announcedStandby = false
        while !isStopping {
            if try await PostgresOutboxRepository.tryAcquireLeadership(connection, lockKey: configuration.leadershipLockKey) { return true }
            if !announcedStandby {
                logger.info("another outbox relay is active; standing by")
                announcedStandby = true
            }
            try await Task.sleep(for: configuration.standbyRetryInterval)
        }
        return false
    }

    private func relayAsLeader(on connection: PostgresConnection) async throws {
        // The outbox is read in id order through its partial index.
        try await PostgresOutboxRepository.prepareSession(connection)
        let producer = try KafkaProducer.makeProducer(configuration: producerConfiguration, logger: logger)
        let outbox = PostgresOutboxRepository(connection: connection)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            try await publishLoop(outbox: outbox, producer: producer)
        }
    }

    /// One round: rows read together and sent together.
    private struct Round: Sendable {
        var rows: [OutboxMessage]
        var results: [Result<KafkaDeliveryReport, KafkaError>]
        var sentAt: ContinuousClock.Instant
    }

    /// What a failed send means for its row.
    enum FailureKind: Equatable, Sendable {
        /// The broker is away, or the producer must be rebuilt: the row waits
        /// and is tried again, uncounted, however long that takes.
        case transport
        /// The record itself is refused for good (too large, malformed, an
        /// invalid topic): the row is quarantined.
        case refused
        /// Something about this record failed that may pass (its topic is
        /// unknown so far), or an error the client does not classify: one
        /// attempt is counted; after ``OutboxRelayConfiguration/maximumAttempts``
        /// the row is quarantined.
        case attempt
    }

    /// How the relay treats a failed send.
    static func kind(of error: KafkaError) -> FailureKind {
        if error.isFatal || error.code == .timeout || error.code == .shutdown { return .transport }
        if error.concernsRecord { return error.isRetriable ? .attempt : .refused }
        return error.isRetriable ? .transport : .attempt
    }

    private func publishLoop(outbox: some OutboxRepository, producer: KafkaProducer) async throws {
        let roundsInFlight = max(1, configuration.roundsInFlight)
        try await withThrowingTaskGroup(of: Round.self) { group in
            var failures = 0
            var backlogMeasured = ContinuousClock.now - configuration.backlogInterval
            var inFlight: Set<Int64> = []
            var rounds = 0
            // Rows that failed for their own sake in a round with others. A
            // broker may refuse a whole batch for one record in it, so each is
            // sent again alone, with nothing else in flight, before it is judged.
            var suspects: [OutboxMessage] = []
            // Whether the outbox may hold rows the last read did not return. A
            // read that came back short saw every committed row, and each row
            // committed later sends a NOTIFY; so the outbox is read again only
            // after a wake-up, a full read, a failure or the poll interval, not
            // once more for every round (which read it empty three times in four).
            var mayHoldMore = true
            // Until when rows wait to share a round (``OutboxRelayConfiguration/minimumRoundInterval``).
            var gatherUntil: ContinuousClock.Instant?
            while !isStopping || rounds > 0 {
                if !isStopping, rounds == 0, !suspects.isEmpty {
                    let judged = suspects
                    suspects = []
                    inFlight.subtract(judged.map(\.id))
                    if let failure = try await publishAlone(judged, outbox: outbox, producer: producer) {
                        try await pause(after: failure, failed: 1, failures: &failures)
                    }
                    mayHoldMore = true
                    continue
                }
                // Read and send another round while there is room.
                if !isStopping, rounds < roundsInFlight, suspects.isEmpty {
                    // Taken before the read, so a NOTIFY during it is kept for the next.
                    if wake.takePending() { mayHoldMore = true }
                    if mayHoldMore, let gatherUntil, ContinuousClock.now < gatherUntil {
                        // Rows committed since the last read gather for one round;
                        // rounds already sent are marked meanwhile.
                        if rounds == 0 {
                            try await Task.sleep(until: gatherUntil)
                            continue
                        }
                    } else if mayHoldMore {
                        mayHoldMore = false
                        let readAt = ContinuousClock.now
                        let batch = try await outbox.fetchUnpublished(limit: configuration.batchSize, excluding: Array(inFlight))
                        reads.add(1, ordering: .relaxed)
                        try await recordFailures(batch.unreadable, outbox: outbox)
                        // Only unreadable rows, or a full read: there may be more behind them.
                        mayHoldMore = batch.messages.count + batch.unreadable.count >= configuration.batchSize
                        // After a short read that found rows, the next read waits out the
                        // round interval; after a full or an empty one it goes at once.
                        gatherUntil = !mayHoldMore && !batch.messages.isEmpty && configuration.minimumRoundInterval > .zero
                            ? readAt + configuration.minimumRoundInterval : nil
                        // A short read saw every due row, so the backlog is what it
                        // returned plus the rows still in flight. Only after a full
                        // read is the outbox counted, at most once per interval: the
                        // count walks the due index, dead entries and all, and under
                        // load that took longer than many rounds.
                        if !mayHoldMore {
                            recordBacklog(batch.messages.count + inFlight.count)
                        } else if ContinuousClock.now - backlogMeasured >= configuration.backlogInterval {
                            recordBacklog(try await outbox.backlog())
                            backlogCounts.add(1, ordering: .relaxed)
                            backlogMeasured = .now
                        }
                        if !batch.messages.isEmpty {
                            inFlight.formUnion(batch.messages.map(\.id))
                            rounds += 1
                            let prefix = configuration.topicPrefix
                            let rows = batch.messages
                            group.addTask {
                                let results = await producer.send(contentsOf: rows.map { Self.kafkaMessage($0, topicPrefix: prefix) })
                                return Round(rows: rows, results: results, sentAt: .now)
                            }
                            continue
                        }
                        if !batch.unreadable.isEmpty {
                            mayHoldMore = true
                            continue
                        }
                    }
                    if rounds == 0 {
                        // A wake-up, or the poll interval catching a lost one (and rows held back after a failure).
                        await wake.wait(upTo: configuration.pollInterval)
                        mayHoldMore = true
                        continue
                    }
                }
                // Mark the next acknowledged round.
                guard let round = try await group.next() else { break }
                rounds -= 1
                inFlight.subtract(round.rows.map(\.id))
                var acknowledged: [Int64] = []
                var transportFailure: KafkaError?
                var transportFailed = 0
                var judged: [OutboxFailure] = []
                for (row, result) in zip(round.rows, round.results) {
                    switch result {
                    case .success:
                        acknowledged.append(row.id)
                    case .failure(let error):
                        let kind = Self.kind(of: error)
                        if kind == .transport {
                            transportFailure = transportFailure ?? error
                            transportFailed += 1
                        } else if round.rows.count == 1 {
                            judged.append(OutboxFailure(id: row.id, reason: "\(error)", isFinal: kind == .refused))
                        } else {
                            suspects.append(row)
                            inFlight.insert(row.id)
                        }
                    }
                }
                let marked = try await outbox.markPublished(ids: acknowledged)
                published.add(marked, ordering: .relaxed)
                let acknowledgedIDs = Set(acknowledged)
                countPublished(round.rows.filter { acknowledgedIDs.contains($0.id) })
                try await recordFailures(judged, outbox: outbox)
                logger.debug("published outbox round", metadata: [
                    "rows": "\(round.rows.count)", "marked": "\(marked)", "mark": "\(ContinuousClock.now - round.sentAt)",
                ])
                // Rows given back (a transport failure) or judged are read again.
                if transportFailure != nil || !judged.isEmpty { mayHoldMore = true }
                if let transportFailure {
                    try await pause(after: transportFailure, failed: transportFailed, failures: &failures)
                } else {
                    failures = 0
                }
            }
        }
    }

    /// After a transport failure: a fatal error needs a new producer, and so
    /// does a delivery that timed out: the producer may be stuck on a broker
    /// that lost its state (its producer id is unknown there), which only a
    /// new producer id cures. Anything else is the broker being away: keep the
    /// rows and try again shortly.
    /// The rounds go on meanwhile, so this is a pause in a pipeline rather than
    /// an operation retried: it follows the same backoff as the retries.
    private func pause(after failure: KafkaError, failed: Int, failures: inout Int) async throws {
        if failure.isFatal || failure.code == .timeout { throw failure }
        logger.warning(
            "broker did not acknowledge part of a batch; retrying",
            metadata: ["failed": "\(failed)", LogKey.error: "\(failure)"]
        )
        failures += 1
        await wake.wait(upTo: backoff.delay(afterFailures: failures))
    }

    /// Sends each of `rows` alone, awaiting its acknowledgement, and judges
    /// it by its own result. Returns the transport failure that stopped it,
    /// if any; the rows not judged then are read again later as usual.
    private func publishAlone(_ rows: [OutboxMessage], outbox: some OutboxRepository, producer: KafkaProducer) async throws -> KafkaError? {
        for row in rows {
            guard let result = await producer.send(contentsOf: [Self.kafkaMessage(row, topicPrefix: configuration.topicPrefix)]).first else { continue }
            switch result {
            case .success:
                published.add(try await outbox.markPublished(ids: [row.id]), ordering: .relaxed)
                countPublished([row])
            case .failure(let error):
                let kind = Self.kind(of: error)
                if kind == .transport { return error }
                try await recordFailures([OutboxFailure(id: row.id, reason: "\(error)", isFinal: kind == .refused)], outbox: outbox)
            }
        }
        return nil
    }

    /// Records failed rows; logs and counts each one quarantined (once: a
    /// quarantined row is no longer read). Never logs a payload.
    private func recordFailures(_ failures: [OutboxFailure], outbox: some OutboxRepository) async throws {
        guard !failures.isEmpty else { return }
        let reasons = Dictionary(failures.map { ($0.id, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let attempts = try await outbox.recordFailures(
            failures, quarantineAfter: configuration.maximumAttempts, retryDelay: configuration.attemptRetryDelay
        )
        for attempt in attempts {
            let metadata: Logger.Metadata = [
                "outbox_id": "\(attempt.id)", LogKey.topic: "\(attempt.topic)", "attempts": "\(attempt.attempts)",
                LogKey.reason: "\(reasons[attempt.id] ?? "")",
            ]
            if attempt.isQuarantined {
                logger.warning("outbox row quarantined; the relay carries on without it", metadata: metadata)
                quarantinedCounter(topic: attempt.topic).increment()
            } else {
                logger.notice("outbox row failed; it will be tried again", metadata: metadata)
            }
        }
    }

    private func quarantinedCounter(topic: String) -> Counter {
        quarantinedCounters.withLock { counters in
            if let counter = counters[topic] { return counter }
            let counter = Counter(label: MetricName.outboxQuarantined, dimensions: [("topic", topic)])
            counters[topic] = counter
            return counter
        }
    }

    private func countPublished(_ rows: [OutboxMessage]) {
        var perTopic: [String: Int] = [:]
        for row in rows { perTopic[row.topic, default: 0] += 1 }
        let counters = publishedCounters.withLock { counters in
            perTopic.map { topic, count in
                let counter = counters[topic] ?? Counter(label: MetricName.outboxPublished, dimensions: [("topic", topic)])
                counters[topic] = counter
                return (counter, count)
            }
        }
        for (counter, count) in counters { counter.increment(by: count) }
    }

    static func kafkaMessage(_ row: OutboxMessage, topicPrefix: String) -> KafkaProducerMessage {
        var headers = row.headers
        headers[MessageHeader.eventID] = row.eventID.uuidString.lowercased()
        return KafkaProducerMessage(
            topic: topicPrefix + row.topic,
            key: row.key.map { Array($0.utf8) },
            value: row.payload,
            headers: headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, string: $0.value) }
        )
    }
}
