import Kafka
import Logging
import Postgres
import ServiceLifecycle

/// What every service role does before and around its work: read the
/// settings, prove the database (and broker) can be reached, then run its
/// services in one group that shuts down on SIGTERM or SIGINT.
struct ServiceRunner {
    let settings: Settings
    let logger: Logger
    let postgresConfiguration: PostgresConfiguration
    let postgres: PostgresClient

    init(role: String) async throws {
        settings = try Settings()
        logger = makeLogger(label: "reminders.\(role)", level: settings.logLevel)
        postgresConfiguration = PostgresConfiguration(url: try settings.requireDatabaseURL())
        postgres = PostgresClient(configuration: postgresConfiguration, logger: logger)
        try await checkDatabase(postgresConfiguration, logger: logger)
    }

    var producerConfiguration: KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: settings.kafkaBootstrapServers)
    }

    func consumerConfiguration(group: String, topics: [String]) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: settings.kafkaBootstrapServers,
            groupID: settings.kafkaTopicPrefix + group,
            topics: topics.map { settings.kafkaTopicPrefix + $0 }
        )
        configuration.maximumFetchWait = .milliseconds(settings.kafkaFetchWaitMilliseconds)
        return configuration
    }

    /// Fails with one line when the broker cannot be reached.
    func checkBroker() async throws {
        try await KafkaProducer.makeProducer(configuration: producerConfiguration, logger: logger.quietened)
            .checkConnection(timeout: .seconds(20))
    }

    /// Runs the pool and `services` until a shutdown signal.
    func run(_ services: [any Service]) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: postgres)] + services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// Fails with one line when the database cannot be reached.
func checkDatabase(_ configuration: PostgresConfiguration, logger: Logger) async throws {
    try await PostgresClient(configuration: configuration, logger: logger.quietened).checkConnection()
}

extension Logger {
    /// The same logger, silent below critical: start-up checks report their
    /// failure as the one line the command prints, and the clients' own
    /// retry chatter would only repeat it.
    var quietened: Logger {
        var quiet = self
        quiet.logLevel = .critical
        return quiet
    }
}
