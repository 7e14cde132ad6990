import ArgumentParser
import Kafka
import Logging
import OutboxRelay
import Postgres
import ServiceLifecycle

/// `reminders relay`: the outbox relay service.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Publish outbox rows to Kafka (one active relay per database; others stand by)."
    )

    func run() async throws {
        try await reportingFailures(of: "relay") {
            let settings = try Settings()
            let logger = makeLogger(label: "reminders.relay", level: settings.logLevel)
            let postgresConfiguration = PostgresConfiguration(url: try settings.requireDatabaseURL())
            let postgres = PostgresClient(configuration: postgresConfiguration, logger: logger)
            try await postgres.checkConnection()
            let producerConfiguration = KafkaProducerConfiguration(bootstrapServers: settings.kafkaBootstrapServers)
            // The check's failure is reported as the one line below; the
            // client's own retry chatter would only repeat it.
            var quiet = logger
            quiet.logLevel = .critical
            try await KafkaProducer.makeProducer(configuration: producerConfiguration, logger: quiet)
                .checkConnection(timeout: .seconds(10))

            var relayConfiguration = OutboxRelayConfiguration()
            relayConfiguration.batchSize = settings.relayBatchSize
            let relay = OutboxRelay(
                postgres: postgres,
                postgresConfiguration: postgresConfiguration,
                producerConfiguration: producerConfiguration,
                configuration: relayConfiguration,
                logger: logger
            )
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: postgres), .init(service: relay)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            logger.info("outbox relay starting", metadata: ["broker": "\(settings.kafkaBootstrapServers)"])
            try await group.run()
        }
    }
}
