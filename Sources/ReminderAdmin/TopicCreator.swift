import Kafka
import Logging
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
    @discardableResult
    public func createTopics(
        of catalog: TopicCatalog, prefix: String = "", timeout: Duration = .seconds(30)
    ) async throws -> [String: KafkaAdminClient.TopicCreation] {
        let specifications = catalog.definitions.map { definition in
            KafkaTopicSpecification(
                name: prefix + definition.name,
                partitions: definition.partitions,
                replicationFactor: 1,
                config: ["retention.ms": String(definition.retentionMilliseconds)]
            )
        }
        let outcomes = try await admin.createTopics(specifications, timeout: timeout)
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .created: logger.info("topic created", metadata: ["topic": "\(name)"])
            case .alreadyExists: logger.info("topic exists already", metadata: ["topic": "\(name)"])
            }
        }
        return outcomes
    }
}
