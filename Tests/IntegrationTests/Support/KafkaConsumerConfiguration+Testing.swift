import Foundation
import IntegrationSupport
import Kafka

extension KafkaConsumerConfiguration {
    /// A consumer of the test broker whose group shares partitions through
    /// the process's in-memory leases (``InMemoryPartitionLeases/shared``),
    /// as the services share theirs through PostgreSQL, instead of through the
    /// broker's group protocol: on a test broker loaded by a full run a
    /// rejoin could hold a worker's only record for half a minute.
    static func testing(
        groupID: String, topics: [String], bootstrapServers: String = TestEnvironment.kafkaBootstrapServers
    ) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID, topics: topics)
        configuration.partitionAssignment = .leases(
            store: InMemoryPartitionLeases.shared, memberID: "test-" + UUID().uuidString.lowercased(), leaseTime: .seconds(3)
        )
        return configuration
    }
}
