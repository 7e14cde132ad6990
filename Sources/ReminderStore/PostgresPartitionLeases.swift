import Kafka
import Postgres

/// Who consumes which partition (migration 112): each instance of a role
/// keeps a member row alive and holds a lease on each partition it reads.
/// A lease that was not renewed in time may be taken by another member, so
/// a killed instance's partitions move on when its lease time has passed,
/// with no broker-side group round. It is the store a lease-sharing Kafka
/// consumer keeps its leases in.
public struct PostgresPartitionLeases: KafkaPartitionLeaseStore {
    let postgres: PostgresClient

    /// Works through `postgres`'s pool.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    /// Renews `member` for `leaseMilliseconds` and returns the group's live
    /// members, `member` among them, sorted. Members expired for over a
    /// minute are forgotten.
    public func renewMember(group: String, member: String, leaseMilliseconds: Int) async throws -> [String] {
        let rows = try await postgres.query(
            """
            WITH renewed AS (
                INSERT INTO reminder_consumer_members (group_id, member_id, expires_at)
                VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
                ON CONFLICT (group_id, member_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
            ), forgotten AS (
                DELETE FROM reminder_consumer_members
                 WHERE group_id = $1 AND expires_at < clock_timestamp() - interval '1 minute'
            )
            SELECT member_id FROM reminder_consumer_members
             WHERE group_id = $1 AND member_id <> $2 AND expires_at >= clock_timestamp()
            UNION SELECT $2
            ORDER BY 1
            """,
            [group, member, leaseMilliseconds]
        )
        return try rows.map { try $0.decode("member_id", as: String.self) }
    }

    /// Gives up `member`'s leases outside `wanted`, then takes or renews the
    /// leases of `wanted` that are free, expired or already its own, and
    /// returns those it holds now. A lease another member holds in time
    /// stays with that member.
    public func settle(
        group: String, member: String, wanted: [(topic: String, partition: Int32)], leaseMilliseconds: Int
    ) async throws -> [(topic: String, partition: Int32)] {
        let ordered = wanted.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        let rows = try await postgres.query(
            """
            WITH wanted AS (
                SELECT w.topic, w.partition FROM unnest($3::text[], $4::int[]) AS w(topic, partition)
            ), released AS (
                DELETE FROM reminder_partition_leases l
                 WHERE l.group_id = $1 AND l.member_id = $2
                   AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.topic = l.topic AND w.partition = l.partition)
            )
            INSERT INTO reminder_partition_leases AS l (group_id, topic, partition, member_id, expires_at)
            SELECT $1, w.topic, w.partition, $2, clock_timestamp() + $5 * interval '1 millisecond'
              FROM wanted w ORDER BY w.topic, w.partition
            ON CONFLICT (group_id, topic, partition) DO UPDATE
               SET member_id = EXCLUDED.member_id, expires_at = EXCLUDED.expires_at
             WHERE l.member_id = EXCLUDED.member_id OR l.expires_at < clock_timestamp()
            RETURNING l.topic, l.partition
            """,
            [group, member, ordered.map(\.topic), ordered.map(\.partition), leaseMilliseconds]
        )
        return try rows.map { (try $0.decode("topic", as: String.self), try $0.decode("partition", as: Int32.self)) }
    }

    /// Removes `member` and its leases at once, so the others take its
    /// partitions on their next round rather than after the lease time.
    public func leave(group: String, member: String) async throws {
        try await postgres.inTransaction { connection in
            _ = try await connection.query(
                "DELETE FROM reminder_partition_leases WHERE group_id = $1 AND member_id = $2", [group, member]
            )
            _ = try await connection.query(
                "DELETE FROM reminder_consumer_members WHERE group_id = $1 AND member_id = $2", [group, member]
            )
        }
    }

    /// The group's leases, for operators and tests: who holds what, and whether in time.
    public func leases(group: String) async throws -> [(topic: String, partition: Int32, member: String, isLive: Bool)] {
        let rows = try await postgres.query(
            """
            SELECT topic, partition, member_id, expires_at >= clock_timestamp() AS live
              FROM reminder_partition_leases WHERE group_id = $1 ORDER BY topic, partition
            """,
            [group]
        )
        return try rows.map {
            (try $0.decode("topic"), try $0.decode("partition"), try $0.decode("member_id"), try $0.decode("live"))
        }
    }
}
