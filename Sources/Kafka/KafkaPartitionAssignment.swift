/// How the members of a consumer group divide the partitions of their topics.
public enum KafkaPartitionAssignment: Sendable {
    /// The broker's group coordinator assigns them (`subscribe`): members
    /// join, heartbeat and rebalance through the broker.
    case group
    /// The members share them through `store`: each reads the partitions it
    /// holds a lease on, from the group's committed offsets, and commits
    /// under the group's name. Nothing waits for a broker-side rebalance:
    /// a restarted member starts reading at once, a killed member's
    /// partitions move on after `leaseTime`, and a broker pause costs no
    /// rejoin. `memberID` must differ between live instances.
    case leases(store: any KafkaPartitionLeaseStore, memberID: String, leaseTime: Duration)
}
