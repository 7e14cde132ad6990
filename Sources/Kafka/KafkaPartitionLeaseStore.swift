/// Where the members of a consumer group that share partitions among
/// themselves (``KafkaPartitionAssignment/leases(store:memberID:leaseTime:)``)
/// keep track of each other and of who reads which partition.
///
/// A member renews its own presence and its leases several times per lease
/// time; one that stops renewing (killed, cut off) loses both when the lease
/// time has passed, and the others take its partitions.
public protocol KafkaPartitionLeaseStore: Sendable {
    /// Renews `member` for `leaseMilliseconds`; returns the group's live members, `member` among them.
    func renewMember(group: String, member: String, leaseMilliseconds: Int) async throws -> [String]
    /// Gives up `member`'s leases outside `wanted`, takes or renews those of
    /// `wanted` that are free, expired or its own, and returns what it holds now.
    func settle(
        group: String, member: String, wanted: [(topic: String, partition: Int32)], leaseMilliseconds: Int
    ) async throws -> [(topic: String, partition: Int32)]
    /// Removes `member` and its leases, so the others need not wait for them to expire.
    func leave(group: String, member: String) async throws
}
