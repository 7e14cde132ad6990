import ArgumentParser
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderContracts
import ReminderDelivery
import ReminderDispatcher
import ReminderDomain
import ReminderStore

/// End to end: a case's status UPDATE commits → relay → dispatcher → relay →
/// delivery worker → smtp-sink's 250 or nginx's 200, at a steady rate.
struct DeliveryLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery-latency",
        abstract: "Status change commit → SMTP 250 / webhook 2xx, p50/p99, through the whole pipeline."
    )

    @Option(help: "email or mattermost.") var channel = "email"
    @Option(help: "Status changes per second.") var rate = 20
    @Option(help: "Seconds of load.") var seconds = 10
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        guard let channel = Channel(rawValue: channel), let topic = channel.deliveryTopic else {
            throw ValidationError("--channel must be email or mattermost")
        }
        let server = try await DeliveryTarget.start(for: channel)
        defer { server.stop() }
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await measure(channel: channel, topic: topic, server: server, database: database)
        }
    }

    private func measure(channel: Channel, topic: String, server: DeliveryTarget, database: BenchDatabase) async throws {
        let total = rate * seconds + 1
        let rate = self.rate
        let prefix = "bench-e2e-" + String(UUID().uuidString.lowercased().prefix(8)) + "."
        // One client serves the dispatcher and the workers here; both plan once per session by key.
        try await database.withClient(maxConnections: 12, planning: PostgresDispatchRepository.statementPlanning) { postgres in
            let fixtures = BenchmarkFixtures(postgres: postgres)
            try await fixtures.addUser(name: "bench", email: "bench@example.test")
            try await fixtures.addCases(count: total)
            // Only the measured channel, whatever the user's defaults.
            try await fixtures.addProgressReminders(email: channel == .email, mattermost: channel == .mattermost)
            let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokerAddress, logger: quietLogger)
            _ = try await admin.createTopics(
                [KafkaTopicSpecification(name: prefix + TopicName.fired, partitions: 8),
                 KafkaTopicSpecification(name: prefix + topic, partitions: 8),
                 KafkaTopicSpecification(name: prefix + TopicName.deadLetter(of: topic), partitions: 1)],
                timeout: .seconds(30)
            )
            let relay = OutboxRelay.forBenchmark(
                postgres: postgres, databaseURL: database.url, topicPrefix: prefix,
                producerConfiguration: KafkaProducerConfiguration(bootstrapServers: brokerAddress), logger: quietLogger
            )
            var dispatcherConfiguration = DispatcherConfiguration()
            dispatcherConfiguration.enabled = true
            dispatcherConfiguration.maxPerRecipientPerHour = 1_000_000
            let dispatcher = DispatcherService(
                repository: PostgresDispatchRepository(postgres: postgres),
                consumerConfiguration: KafkaConsumerConfiguration(
                    bootstrapServers: brokerAddress, groupID: prefix + "dispatcher", topics: [prefix + TopicName.fired]
                ),
                configuration: dispatcherConfiguration, logger: quietLogger
            )
            var workerConfiguration = DeliveryWorkerConfiguration(channel: channel)
            workerConfiguration.enabled = true
            workerConfiguration.dryRun = false
            let worker = DeliveryWorker(
                repository: PostgresDeliveryRepository(postgres: postgres),
                sender: server.sender,
                consumerConfiguration: KafkaConsumerConfiguration(
                    bootstrapServers: brokerAddress, groupID: prefix + workerConfiguration.groupID, topics: [prefix + topic]
                ),
                configuration: workerConfiguration,
                logger: quietLogger
            )
            var committedAt: [Int: Date] = [:]
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                group.addTask { try await dispatcher.run() }
                group.addTask { try await worker.run() }
                defer { group.cancelAll() }
                // Warm up: one change all the way through (consumer groups joined) before the timed run.
                try await fixtures.startCase(1)
                let warmDeadline = ContinuousClock.now + .seconds(60)
                while try await fixtures.sentDeliveries() < 1 {
                    guard ContinuousClock.now < warmDeadline else { throw BenchSetupError("the warm-up change was not delivered within 60 s") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let clock = ContinuousClock()
                let start = clock.now
                for index in 0..<(total - 1) {
                    let sag = index + 2
                    try await clock.sleep(until: start + .microseconds(Int64(index) * 1_000_000 / Int64(rate)))
                    try await fixtures.startCase(sag)
                    committedAt[sag] = Date()
                }
                let deadline = clock.now + .seconds(60)
                while try await fixtures.sentDeliveries() < total, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            // The worker stamps the sent log row with the time the 250 / 2xx came back.
            var latencies: [Double] = []
            for (sag, sentAt) in try await fixtures.sentLogTimes(channel: channel) {
                guard let committed = committedAt[sag] else { continue }
                latencies.append(sentAt.timeIntervalSince(committed) * 1000)
            }
            let summary = Summary(latencies)
            let answer = channel == .email ? "SMTP 250" : "webhook 200"
            report("status change → \(answer) at \(rate) changes/s for \(seconds) s: p50 \(format(summary.median, 1)) ms, p99 \(format(summary.percentile(99), 1)) ms, max \(format(summary.percentile(100), 1)) ms (\(latencies.count)/\(total - 1) delivered) [load \(loadAverage())]")
        }
    }
}
