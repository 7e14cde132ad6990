import Kafka
import Testing

@Suite(.enabled(if: KafkaTestEnvironment.isConfigured, "KAFKA_BOOTSTRAP_SERVERS is not set"), .timeLimit(.minutes(1)))
struct KafkaAdminClientTests {
    @Test func createsTopicsIdempotentlyAndReportsPartitionCounts() async throws {
        let admin = try KafkaAdminClient.makeAdminClient(
            bootstrapServers: KafkaTestEnvironment.brokers, logger: KafkaTestEnvironment.logger)
        let topic = KafkaTestEnvironment.uniqueName("admin")
        let specification = KafkaTopicSpecification(name: topic, partitions: 3)

        let first = try await admin.createTopics([specification], timeout: .seconds(10))
        #expect(first == [topic: .created])

        let second = try await admin.createTopics([specification], timeout: .seconds(10))
        #expect(second == [topic: .alreadyExists])

        let counts = try await admin.partitionCounts(timeout: .seconds(10))
        #expect(counts[topic] == 3)
    }
}
