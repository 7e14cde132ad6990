import Kafka
import Logging
import ReminderContracts
import ReminderDomain

/// Creates the catalog's topics on the broker; topics that exist already are
/// left as they are, so running it again is harmless.
public struct TopicCreator: Sendable {
    let admin: KafkaAdminClient
    let logger: Logger

    /// Creates topics through `admin`.
    public init(admin: KafkaAdminClient, logger: Logger) {
        self.admin = admin
        self.logger = logger
    }

    /// Creates every topic of `catalog`; returns each topic's outcome.
    /// - Parameter replicationFactor: copies of each partition; `nil` leaves
    ///   it to the broker's `default.replication.factor`, so a cluster that
    ///   demands several in-sync replicas gets enough of them.
    @discardableResult
    public func createTopics(
        of catalog: TopicCatalog, prefix: String = "", replicationFactor: Int? = nil, timeout: Duration = .seconds(30)
    ) async throws -> [String: KafkaAdminClient.TopicCreation] {
        let specifications = catalog.definitions.map { definition in
            KafkaTopicSpecification(
                name: prefix + definition.name,
                partitions: definition.partitions,
                replicationFactor: replicationFactor.map(Int16.init) ?? KafkaTopicSpecification.brokerDefaultReplicationFactor,
                config: ["retention.ms": String(definition.retentionMilliseconds)]
            )
        }
        let outcomes = try await admin.createTopics(specifications, timeout: timeout)
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .created: logger.info("topic created", metadata: [LogKey.topic: "\(name)"])
            case .alreadyExists: logger.info("topic exists already", metadata: [LogKey.topic: "\(name)"])
            }
        }
        return outcomes
    }
}
