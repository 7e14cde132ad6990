import AsyncSupport
import Kafka
import Logging
import Metrics
import Postgres
import ReminderDomain
import ReminderStore
import ServiceLifecycle
import Synchronization

/// Publishes every outbox row to Kafka, in id order, and marks it published
/// only after the broker acknowledged it.
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
    private let publishedCounters = Mutex<[String: Counter]>([:])
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

    private func relayWhileRunning() async throws {
        var backoff = Duration.milliseconds(100)
        while !isStopping {
            do {
                let connection = try await PostgresConnection.connect(configuration: postgresConfiguration, logger: logger)
                defer { connection.close() }
                guard try await acquireLeadership(on: connection) else { return }
                logger.info("outbox relay is the active relay")
                try await relayAsLeader(on: connection)
                backoff = .milliseconds(100)
            } catch is CancellationError {
                return
            } catch {
                if isStopping { return }
                logger.error("outbox relay interrupted; retrying", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
                await wake.wait(upTo: backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// Waits as a standby until this relay holds the leadership lock; `false`
    /// when shutdown came first.
    private func acquireLeadership(on connection: PostgresConnection) async throws -> Bool {
        var announcedStandby = false
        while !isStopping {
            let rows = try await connection.query("SELECT pg_try_advisory_lock($1) AS acquired", [configuration.leadershipLockKey])
            if try rows.first?.decode("acquired", as: Bool.self) == true { return true }
            if !announcedStandby {
                logger.info("another outbox relay is active; standing by")
                announcedStandby = true
            }
            try await Task.sleep(for: configuration.standbyRetryInterval)
        }
        return false
    }

    private func relayAsLeader(on connection: PostgresConnection) async throws {
        // The outbox is read in id order through its partial index. Right after
        // a bulk insert, before autovacuum has analysed the table, the planner
        // may prefer a bitmap scan that sorts every unpublished row for each
        // batch; this session never wants that.
        try await connection.simpleQuery("SET enable_bitmapscan = off")
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

    private func publishLoop(outbox: some OutboxRepository, producer: KafkaProducer) async throws {
        let roundsInFlight = max(1, configuration.roundsInFlight)
        try await withThrowingTaskGroup(of: Round.self) { group in
            var backoff = Duration.milliseconds(100)
            var backlogMeasured = ContinuousClock.now - configuration.backlogInterval
            var inFlight: Set<Int64> = []
            var rounds = 0
            while !isStopping || rounds > 0 {
                // Read and send another round while there is room.
                if !isStopping, rounds < roundsInFlight {
                    if ContinuousClock.now - backlogMeasured >= configuration.backlogInterval {
                        backlogGauge.record(try await outbox.backlog())
                        backlogMeasured = .now
                    }
                    let batch = try await outbox.fetchUnpublished(limit: configuration.batchSize, excluding: Array(inFlight))
                    if !batch.isEmpty {
                        inFlight.formUnion(batch.map(\.id))
                        rounds += 1
                        let prefix = configuration.topicPrefix
                        group.addTask {
                            let results = await producer.send(contentsOf: batch.map { Self.kafkaMessage($0, topicPrefix: prefix) })
                            return Round(rows: batch, results: results, sentAt: .now)
                        }
                        continue
                    }
                    if rounds == 0 {
                        await wake.wait(upTo: configuration.pollInterval)
                        continue
                    }
                }
                // Mark the next acknowledged round.
                guard let round = try await group.next() else { break }
                rounds -= 1
                inFlight.subtract(round.rows.map(\.id))
                var acknowledged: [Int64] = []
                var failure: KafkaError?
                for (row, result) in zip(round.rows, round.results) {
                    switch result {
                    case .success: acknowledged.append(row.id)
                    case .failure(let error): failure = failure ?? error
                    }
                }
                let marked = try await outbox.markPublished(ids: acknowledged)
                published.add(marked, ordering: .relaxed)
                let acknowledgedIDs = Set(acknowledged)
                countPublished(round.rows.filter { acknowledgedIDs.contains($0.id) })
                logger.debug("published outbox round", metadata: [
                    "rows": "\(round.rows.count)", "marked": "\(marked)", "mark": "\(ContinuousClock.now - round.sentAt)",
                ])
                if let failure {
                    // A fatal error needs a new producer, and so does a delivery that
                    // timed out: the producer may be stuck on a broker that lost its
                    // state (its producer id is unknown there), which only a new
                    // producer id cures. Anything else is the broker being away:
                    // keep the rows and try again shortly.
                    if failure.isFatal || failure.code == .timeout { throw failure }
                    logger.warning(
                        "broker did not acknowledge part of a batch; retrying",
                        metadata: ["failed": "\(round.rows.count - acknowledged.count)", "error": "\(failure)"]
                    )
                    await wake.wait(upTo: backoff)
                    backoff = min(backoff * 2, configuration.maximumBackoff)
                } else {
                    backoff = .milliseconds(100)
                }
            }
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
        headers["event_id"] = row.eventID.uuidString.lowercased()
        return KafkaProducerMessage(
            topic: topicPrefix + row.topic,
            key: row.key,
            value: row.payload,
            headers: headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, string: $0.value) }
        )
    }
}
