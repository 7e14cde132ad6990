import ArgumentParser
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Synchronization

/// Time from the commit of a case status UPDATE to a consumer of
/// `reminders.fired` receiving the event, at a steady rate of updates.
struct TriggerLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trigger-latency", abstract: "Case status change commit → fired event consumed, p50/p99.")

    @Option(help: "Status changes per second.") var rate = 500
    @Option(help: "Seconds of load.") var seconds = 10
    @Option(help: "The relay producer's linger, in milliseconds (the relay service uses 0).") var linger = 0
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        let total = rate * seconds
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await measure(database, total: total)
        }
    }

    private func measure(_ database: BenchDatabase, total: Int) async throws {
        let prefix = "bench-" + String(UUID().uuidString.lowercased().prefix(8)) + "."
        try await database.withClient(maxConnections: 4) { postgres in
            let fixtures = BenchmarkFixtures(postgres: postgres)
            try await fixtures.addUser(name: "bench")
            try await fixtures.addCases(count: total)
            try await fixtures.addProgressRemindersForUserOne()
            let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokerAddress, logger: quietLogger)
            _ = try await admin.createTopics([KafkaTopicSpecification(name: prefix + TopicName.fired, partitions: 8)], timeout: .seconds(30))

            var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: brokerAddress)
            producerConfiguration.linger = .milliseconds(linger)
            let relay = OutboxRelay.forBenchmark(
                postgres: postgres, databaseURL: database.url, topicPrefix: prefix,
                producerConfiguration: producerConfiguration, logger: quietLogger
            )
            var consumerConfiguration = KafkaConsumerConfiguration(
                bootstrapServers: brokerAddress, groupID: prefix + "bench", topics: [prefix + TopicName.fired]
            )
            consumerConfiguration.autoOffsetReset = .earliest
            let consumer = try KafkaConsumer.makeConsumer(configuration: consumerConfiguration, logger: quietLogger)
            let committedAt = Shared<[Int: ContinuousClock.Instant]>([:])
            let latencies = Shared<[Double]>([])
            let earlyArrivals = Shared<[Int: ContinuousClock.Instant]>([:])
            let clock = ContinuousClock()

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                group.addTask { try await consumer.run() }
                group.addTask {
                    for try await message in consumer.messages {
                        let received = clock.now
                        guard let sag = (try? MessageCoding.decode(JSONValue.self, from: message.value))?["sag_id"]?.int64Value else { continue }
                        // Under load the event can arrive before the updating task
                        // has noted its commit; keep the arrival and settle it then.
                        let committed = committedAt.withLock { times -> ContinuousClock.Instant? in
                            guard let committed = times[Int(sag)] else {
                                earlyArrivals.withLock { $0[Int(sag)] = received }
                                return nil
                            }
                            return committed
                        }
                        if let committed { latencies.withLock { $0.append((received - committed).seconds * 1000) } }
                    }
                }
                // Warm up: one change, received, before the timed run.
                try await fixtures.startCase(1)
                committedAt.withLock { $0[1] = clock.now }
                while latencies.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
                latencies.withLock { $0.removeAll() }

                let start = clock.now
                for index in 0..<(total - 1) {
                    let sag = index + 2
                    try await clock.sleep(until: start + .microseconds(Int64(index) * 1_000_000 / Int64(rate)))
                    try await fixtures.startCase(sag)
                    let committed = clock.now
                    committedAt.withLock { $0[sag] = committed }
                    if let early = earlyArrivals.withLock({ $0.removeValue(forKey: sag) }) {
                        latencies.withLock { $0.append(max(0, (early - committed).seconds * 1000)) }
                    }
                }
                let deadline = clock.now + .seconds(30)
                while latencies.withLock({ $0.count }) < total - 1, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                group.cancelAll()
            }
            let summary = Summary(latencies.withLock { $0 })
            print("trigger → consumer latency at \(rate) changes/s for \(seconds) s: p50 \(format(summary.median, 2)) ms, p99 \(format(summary.percentile(99), 2)) ms, max \(format(summary.percentile(100), 2)) ms (\(summary.sorted.count)/\(total - 1) received)")
        }
    }
}
