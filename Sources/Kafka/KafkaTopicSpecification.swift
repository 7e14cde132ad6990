/// A topic to create with ``KafkaAdminClient/createTopics(_:timeout:)``.
public struct KafkaTopicSpecification: Sendable {
    /// The topic name.
    public var name: String
    /// The number of partitions.
    public var partitions: Int32
    /// The number of replicas of each partition; defaults to
    /// ``brokerDefaultReplicationFactor``.
    public var replicationFactor: Int16
    /// Topic-level configuration, such as `retention.ms`; defaults to none.
    public var config: [String: String]

    /// Asks the broker to apply its own `default.replication.factor`
    /// (CreateTopics v4 and later).
    public static let brokerDefaultReplicationFactor: Int16 = -1

    /// Creates a topic specification.
    public init(
        name: String, partitions: Int32, replicationFactor: Int16 = brokerDefaultReplicationFactor, config: [String: String] = [:]
    ) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}
