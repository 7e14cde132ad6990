import Kafka
import Logging
import OutboxRelay
import Postgres

extension OutboxRelay {
    /// The relay as the end-to-end benchmarks run it: on the benchmark's
    /// database, publishing under `topicPrefix`.
    static func forBenchmark(
        postgres: PostgresClient, databaseURL: String, topicPrefix: String,
        producerConfiguration: KafkaProducerConfiguration, logger: Logger
    ) -> OutboxRelay {
        var configuration = OutboxRelayConfiguration()
        configuration.topicPrefix = topicPrefix
        return OutboxRelay(
            postgres: postgres, postgresConfiguration: PostgresConfiguration(url: databaseURL),
            producerConfiguration: producerConfiguration, configuration: configuration, logger: logger
        )
    }
}
