/// Settings of a ``KafkaConsumer``.
///
/// Offsets are committed manually only (`KafkaConsumer.commit(_:)`):
/// `enable.auto.commit` and `enable.auto.offset.store` are always off.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where a group starts reading a partition that has no committed offset.
    public enum AutoOffsetReset: String, Sendable {
        /// From the oldest record still stored.
        case earliest
        /// From records written after the consumer joined.
        case latest
    }

    /// Comma-separated `host:port` list of brokers to bootstrap from (`bootstrap.servers`).
    public var bootstrapServers: String
    /// The consumer group (`group.id`); members of one group share the partitions.
    public var groupID: String
    /// The topics to subscribe to.
    public var topics: [String]
    /// The client id the broker logs (`client.id`); defaults to `case-reminders`.
    public var clientID: String = "case-reminders"
    /// How long the group waits for a silent member before rebalancing (`session.timeout.ms`);
    /// defaults to 6 s, short because a group join waits for it. The heartbeat interval is a quarter of it.
    public var sessionTimeout: Duration = .seconds(6)
    /// Where to start without a committed offset (`auto.offset.reset`); defaults to `.earliest`.
    public var autoOffsetReset: AutoOffsetReset = .earliest
    /// How long the broker may hold a fetch request open waiting for new records
    /// (`fetch.wait.max.ms`); defaults to 100 ms. A broker answers as soon as records arrive,
    /// so this mostly sets how often an idle consumer asks: ten times a second, not a hundred
    /// (on the test broker, 10 ms spent a quarter of a core on idle fetches).
    public var maximumFetchWait: Duration = .milliseconds(100)
    /// How many received records may wait for the application before polling pauses; defaults to 1000.
    public var maxBufferedMessages: Int = 1000
    /// How the group's members divide the partitions; defaults to `.group`
    /// (the broker's group coordinator).
    public var partitionAssignment: KafkaPartitionAssignment = .group
    /// Extra librdkafka properties, applied last so they override everything above; defaults to none.
    public var properties: [String: String] = [:]

    /// Creates a configuration with defaults for everything but brokers, group and topics.
    public init(bootstrapServers: String, groupID: String, topics: [String]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.topics = topics
    }

    /// The librdkafka properties, in the order they are applied.
    var rdKafkaProperties: [(key: String, value: String)] {
        let sessionMilliseconds = sessionTimeout.wholeMilliseconds
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("session.timeout.ms", String(sessionMilliseconds)),
            ("heartbeat.interval.ms", String(max(100, sessionMilliseconds / 4))),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            // Offsets move only when the application says its work is done.
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("fetch.wait.max.ms", String(maximumFetchWait.wholeMilliseconds)),
            // A member joining or leaving moves only the partitions that change
            // owner; the others keep being consumed through the rebalance.
            ("partition.assignment.strategy", "cooperative-sticky"),
            // A subscribed topic created after the consumer started is picked up within
            // seconds rather than librdkafka's default five minutes.
            ("topic.metadata.refresh.interval.ms", "5000"),
        ]
        result.append(contentsOf: properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return result
    }
}
