import Postgres

extension PostgresOutboxRepository {
    /// Takes the relays' leadership on `connection` if no other session holds it: a
    /// session-level advisory lock on `lockKey`, held until `connection` closes, so losing the
    /// connection loses leadership at the same moment. Whether this session holds it now.
    public static func tryAcquireLeadership(_ connection: PostgresConnection, lockKey: Int64) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock($1) AS acquired", [lockKey])
        return try rows.first?.decode("acquired", as: Bool.self) == true
    }
}
