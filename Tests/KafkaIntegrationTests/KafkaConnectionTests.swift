import Kafka
import ServiceLifecycle
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaConnectionTests {
    /// Nothing listens on port 1.
    static let unreachable = "127.0.0.1:1"

    @Test func producerCheckConnectionFailsWithinTimeoutNamingTheAddress() async throws {
        let producer = try KafkaProducer.makeProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: Self.unreachable),
            logger: KafkaTestEnvironment.logger
        )
        let timeout = Duration.seconds(2)
        let started = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) {
            try await producer.checkConnection(timeout: timeout)
        }
        let elapsed = ContinuousClock.now - started
        #expect(error.code == .connection)
        #expect(error.description.contains("cannot reach Kafka broker at \(Self.unreachable)"))
        // The timeout holds (librdkafka alone would wait a minute); the slack is for a full
        // parallel test run on two cores, where 2 s of slack was exceeded.
        #expect(elapsed < timeout + .seconds(8))
    }

    @Test func consumerCheckConnectionFailsWithinTimeoutNamingTheAddress() async throws {
        let consumer = try KafkaConsumer.makeConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: Self.unreachable,
                groupID: KafkaTestEnvironment.uniqueName("unreachable"),
                topics: [KafkaTestEnvironment.uniqueName("unreachable")]
            ),
            logger: KafkaTestEnvironment.logger
        )
        let timeout = Duration.seconds(2)
        let started = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) {
            try await consumer.checkConnection(timeout: timeout)
        }
        let elapsed = ContinuousClock.now - started
        #expect(error.description.contains(Self.unreachable))
        // The timeout holds (librdkafka alone would wait a minute); the slack is for a full
        // parallel test run on two cores, where 2 s of slack was exceeded.
        #expect(elapsed < timeout + .seconds(8))
    }

    @Test(.enabled(if: KafkaTestEnvironment.isConfigured, "KAFKA_BOOTSTRAP_SERVERS is not set"))
    func checkConnectionSucceedsAgainstTheBroker() async throws {
        let producer = try KafkaTestEnvironment.makeProducer()
        try await producer.checkConnection(timeout: .seconds(10))
    }

    @Test func sendFailsWithTimeoutWhenTheBrokerStaysAwayForTheMessageTimeout() async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: Self.unreachable)
        configuration.messageTimeout = .seconds(1)
        let producer = try KafkaProducer.makeProducer(configuration: configuration, logger: KafkaTestEnvironment.logger)
        let serviceGroup = ServiceGroup(services: [producer], logger: KafkaTestEnvironment.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(KafkaProducerMessage(topic: "unreachable", key: "k", value: "v"))
            }
            #expect(error?.code == .timeout)
            #expect(error?.isRetriable == true)
            await serviceGroup.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func shutdownFailsSendsTheBrokerNeverAcknowledged() async throws {
        let producer = try KafkaProducer.makeProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: Self.unreachable),
            logger: KafkaTestEnvironment.logger
        )
        let serviceGroup = ServiceGroup(services: [producer], logger: KafkaTestEnvironment.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            let pendingSend = Task {
                try await producer.send(KafkaProducerMessage(topic: "unreachable", key: "k", value: "v"))
            }
            await serviceGroup.triggerGracefulShutdown()
            // run() flushes for up to 10 s, then fails what the broker never acknowledged.
            let error = await #expect(throws: KafkaError.self) { _ = try await pendingSend.value }
            #expect(error?.code == .shutdown)
            try await tasks.waitForAll()
        }
        let late = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaProducerMessage(topic: "unreachable", key: "k", value: "v"))
        }
        #expect(late?.code == .shutdown)
    }
}
