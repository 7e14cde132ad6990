/// Which partitions a member of a lease-sharing group should read: the
/// partitions in (topic, partition) order dealt round the members in name
/// order. Every member computes the same deal from the same member list, so
/// none needs to ask another.
public enum KafkaPartitionShare {
    /// `member`'s share of `partitions` among `members` (`member` counts even when missing from `members`).
    public static func share(
        of member: String, among members: [String], partitions: [KafkaTopicPartition]
    ) -> Set<KafkaTopicPartition> {
        let everyone = Set(members).union([member]).sorted()
        guard let position = everyone.firstIndex(of: member) else { return [] }
        let ordered = partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        var mine = Set<KafkaTopicPartition>()
        for (index, partition) in ordered.enumerated() where index % everyone.count == position {
            mine.insert(partition)
        }
        return mine
    }
}
