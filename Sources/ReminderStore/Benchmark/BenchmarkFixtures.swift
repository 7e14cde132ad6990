import Postgres

/// What the benchmarks (`reminders-bench`) load into a database of their own, the changes they
/// drive and the counts they wait on. Not used by any service.
public struct BenchmarkFixtures: Sendable {
    let postgres: PostgresClient

    /// Reads and writes through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    /// Runs `ANALYZE` on every table, so the planner knows a freshly loaded database.
    public func analyzeAll() async throws {
        try await postgres.query("ANALYZE")
    }

    /// PostgreSQL's durability settings, to print with the figures: with `fsync` or
    /// `synchronous_commit` off commits cost less than in production.
    public func durabilitySettings() async throws -> (fsync: String, synchronousCommit: String) {
        let fsync = try await postgres.query("SHOW fsync")[0].decode("fsync", as: String.self)
        let synchronousCommit = try await postgres.query("SHOW synchronous_commit")[0].decode("synchronous_commit", as: String.self)
        return (fsync, synchronousCommit)
    }

    /// One count (a query answering `n`).
    func count(_ sql: String, _ bindings: [any PostgresBindable] = []) async throws -> Int {
        try await postgres.query(sql, bindings)[0].decode("n", as: Int.self)
    }
}
