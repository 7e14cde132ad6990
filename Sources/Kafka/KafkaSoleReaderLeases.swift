/// A lease store for the only member of its group, such as a one-off reader
/// of a dead-letter topic: it holds every lease it wants, so it is assigned
/// every partition at once instead of joining a broker-side group (a join
/// costs seconds, and on a loaded broker sometimes half a minute).
public struct KafkaSoleReaderLeases: KafkaPartitionLeaseStore {
    public init() {}

    public func renewMember(group: String, member: String, leaseMilliseconds: Int) async throws -> [String] { [member] }

    public func settle(
        group: String, member: String, wanted: [(topic: String, partition: Int32)], leaseMilliseconds: Int
    ) async throws -> [(topic: String, partition: Int32)] {
        wanted
    }

    public func leave(group: String, member: String) async throws {}
}
