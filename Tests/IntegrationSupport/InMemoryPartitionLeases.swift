import Kafka
import Synchronization

/// Partition leases kept in this process, for the integration tests
/// that are not about where leases are stored (the PostgreSQL store has tests
/// of its own). Test consumers share partitions through these rather than
/// through the broker's group protocol, whose rejoin pauses on a loaded test
/// broker held records back for half a minute; the PostgreSQL store would
/// cost every test worker a connection loop.
public final class InMemoryPartitionLeases: KafkaPartitionLeaseStore {
    /// One table for the whole test process: workers of a group in
    /// different tests never share a group name.
    public static let shared = InMemoryPartitionLeases()

    private init() {}

    private struct Lease { var member: String; var expires: ContinuousClock.Instant }
    private struct Tables {
        var members: [String: ContinuousClock.Instant] = [:]
        var leases: [String: Lease] = [:]
    }
    private let tables = Mutex(Tables())

    public func renewMember(group: String, member: String, leaseMilliseconds: Int) async throws -> [String] {
        let now = ContinuousClock.now
        return tables.withLock { tables in
            tables.members[group + "/" + member] = now + .milliseconds(leaseMilliseconds)
            return tables.members.filter { $0.key.hasPrefix(group + "/") && $0.value >= now }
                .map { String($0.key.dropFirst(group.count + 1)) }.sorted()
        }
    }

    public func settle(
        group: String, member: String, wanted: [(topic: String, partition: Int32)], leaseMilliseconds: Int
    ) async throws -> [(topic: String, partition: Int32)] {
        let now = ContinuousClock.now
        let keys = Set(wanted.map { "\(group)/\($0.topic)/\($0.partition)" })
        return tables.withLock { tables in
            tables.leases = tables.leases.filter { $0.value.member != member || keys.contains($0.key) || !$0.key.hasPrefix(group + "/") }
            var held: [(topic: String, partition: Int32)] = []
            for partition in wanted {
                let key = "\(group)/\(partition.topic)/\(partition.partition)"
                if let lease = tables.leases[key], lease.member != member, lease.expires >= now { continue }
                tables.leases[key] = Lease(member: member, expires: now + .milliseconds(leaseMilliseconds))
                held.append(partition)
            }
            return held
        }
    }

    public func leave(group: String, member: String) async throws {
        tables.withLock { tables in
            tables.members[group + "/" + member] = nil
            tables.leases = tables.leases.filter { !$0.key.hasPrefix(group + "/") || $0.value.member != member }
        }
    }
}
