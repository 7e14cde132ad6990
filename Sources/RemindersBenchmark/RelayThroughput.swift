import ArgumentParser
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderStore

/// Outbox rows the relay publishes per second, from a full outbox.
struct RelayThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "relay-throughput", abstract: "Relay rows/s draining a pre-filled outbox.")

    @Option(help: "Outbox rows per run.") var rows = 100_000
    @Option(help: "Runs; the median is reported.") var runs = 3
    @Option(help: "Relay batch size.") var batchSize = 1000
    @Option(help: "The relay producer's linger, in milliseconds (the relay service uses 0).") var linger = 0
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        var rates: [Double] = []
        for run in 1...runs {
            let rate = try await BenchDatabase.with(migrationsDirectory: migrations) { database in
                try await database.withClient { postgres in
                    let topic = "bench-relay-" + String(UUID().uuidString.lowercased().prefix(8))
                    let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokerAddress, logger: quietLogger)
                    _ = try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 8)], timeout: .seconds(30))
                    try await BenchmarkFixtures(postgres: postgres).addOutboxRows(count: rows, topic: topic)
                    var configuration = OutboxRelayConfiguration()
                    configuration.batchSize = batchSize
                    var postgresConfiguration = PostgresConfiguration(url: database.url)
                    postgresConfiguration.applicationName = "bench-relay"
                    var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: brokerAddress)
                    producerConfiguration.linger = .milliseconds(linger)
                    let relay = OutboxRelay(
                        postgres: postgres, postgresConfiguration: postgresConfiguration,
                        producerConfiguration: producerConfiguration,
                        configuration: configuration, logger: quietLogger
                    )
                    let clock = ContinuousClock()
                    let start = clock.now
                    return try await withThrowingTaskGroup(of: Double?.self) { group in
                        group.addTask { try await relay.run(); return nil }
                        defer { group.cancelAll() }
                        while relay.publishedCount < rows {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        let seconds = (clock.now - start).seconds
                        return Double(rows) / seconds
                    }
                }
            }
            rates.append(rate)
            print("run \(run): \(format(rate, 0)) rows/s")
        }
        print("relay throughput: median \(format(Summary(rates).median, 0)) rows/s over \(runs) runs of \(rows) rows (batch \(batchSize))")
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
