import Kafka
import OutboxRelay
import Postgres

/// A database of its own, a new topic named `topicPrefix` + a unique suffix,
/// and an outbox relay publishing to `bootstrapServers` (back-off capped at
/// 0.5 s, so a test sees it recover soon) while `body` runs.
func withTestRelay(
    topicPrefix: String, bootstrapServers: String,
    configureProducer: @Sendable (inout KafkaProducerConfiguration) -> Void = { _ in },
    _ body: @Sendable (PostgresClient, String) async throws -> Void
) async throws {
    try await withTestRelay(topicPrefix: topicPrefix, bootstrapServers: bootstrapServers, configureProducer: configureProducer) { postgres, topic, _ in
        try await body(postgres, topic)
    }
}

/// As above, with the relay's settings adjusted by `configureRelay` and the relay handed to `body`.
func withTestRelay(
    topicPrefix: String, bootstrapServers: String,
    configureProducer: @Sendable (inout KafkaProducerConfiguration) -> Void = { _ in },
    configureRelay: @Sendable (inout OutboxRelayConfiguration) -> Void = { _ in },
    _ body: @Sendable (PostgresClient, String, OutboxRelay) async throws -> Void
) async throws {
    try await TestDatabase.with { database, postgres in
        let topic = topicPrefix + TestEnvironment.uniqueSuffix()
        try await createTopic(topic, bootstrapServers: bootstrapServers)
        var producer = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configureProducer(&producer)
        var configuration = OutboxRelayConfiguration()
        configuration.maximumBackoff = .milliseconds(500)
        configureRelay(&configuration)
        let relay = OutboxRelay(
            postgres: postgres, postgresConfiguration: database.configuration,
            producerConfiguration: producer, configuration: configuration,
            logger: TestEnvironment.logger("test.relay")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            defer { group.cancelAll() }
            try await body(postgres, topic, relay)
        }
    }
}
