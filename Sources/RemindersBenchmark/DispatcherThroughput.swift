import ArgumentParser
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderContracts
import ReminderDispatcher
import ReminderDomain
import ReminderStore

/// Notifications per second from fired events to delivery messages on the
/// channel topics and entries in the inbox: dispatcher plus relay, from a
/// backlog of fired events.
struct DispatcherThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dispatcher-throughput", abstract: "Notifications/s into the channel topics.")

    @Option(help: "Fired events in the backlog.") var events = 5000
    @Option(help: "Users each event notifies.") var recipients = 2
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        let prefix = "bench-" + String(UUID().uuidString.lowercased().prefix(8)) + "."
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await database.withClient(maxConnections: 8, planning: PostgresDispatchRepository.statementPlanning) { postgres in
                let fixtures = BenchmarkFixtures(postgres: postgres)
                try await fixtures.addUsers(count: 1000)
                try await fixtures.addCases(count: events)
                // Each case's reminder notifies `recipients` users, spread over the 1,000.
                try await fixtures.addProgressReminders(recipientsEach: recipients)
                let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokerAddress, logger: quietLogger)
                _ = try await admin.createTopics(
                    [TopicName.fired, TopicName.deliverEmail, TopicName.deliverMattermost]
                        .map { KafkaTopicSpecification(name: prefix + $0, partitions: 8) },
                    timeout: .seconds(30)
                )
                let relay = OutboxRelay.forBenchmark(
                    postgres: postgres, databaseURL: database.url, topicPrefix: prefix,
                    producerConfiguration: KafkaProducerConfiguration(bootstrapServers: brokerAddress), logger: quietLogger
                )
                // The backlog: every case changes status, and the relay puts the
                // fired events on the topic before the dispatcher starts.
                try await fixtures.startAllCases()
                var dispatcherConfiguration = DispatcherConfiguration()
                dispatcherConfiguration.enabled = true
                dispatcherConfiguration.maxPerRecipientPerHour = 1_000_000
                dispatcherConfiguration.batchSize = 100
                let dispatcher = DispatcherService(
                    repository: PostgresDispatchRepository(postgres: postgres),
                    consumerConfiguration: KafkaConsumerConfiguration(
                        bootstrapServers: brokerAddress, groupID: prefix + "dispatcher", topics: [prefix + TopicName.fired]
                    ),
                    configuration: dispatcherConfiguration, logger: quietLogger
                )
                let notifications = events * recipients * 2 // Mattermost and in-app by default
                let seconds = try await withThrowingTaskGroup(of: Double?.self) { group in
                    group.addTask { try await relay.run(); return nil }
                    defer { group.cancelAll() }
                    while try await fixtures.unpublishedOutboxRows() > 0 {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    let start = ContinuousClock.now
                    group.addTask { try await dispatcher.run(); return nil }
                    while try await fixtures.handedOnDeliveries() < notifications {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    return (ContinuousClock.now - start).seconds
                }
                print("dispatcher: \(events) firings × \(recipients) recipients → \(notifications) notifications in \(format(seconds, 2)) s: \(format(Double(events * recipients) / seconds, 0)) recipient notifications/s, \(format(Double(notifications) / seconds, 0)) channel messages/s")
            }
        }
    }
}
