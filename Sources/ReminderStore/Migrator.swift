import Logging
import Postgres

/// Applies migrations once each, each in its own transaction, recording them in
/// `schema_migrations`; running it again is a no-op.
public struct Migrator: Sendable {
    /// Serialises concurrent migrators (e.g. several pods starting at once).
    static let advisoryLockKey: Int64 = 0x5e_6d_1a_70

    let postgres: PostgresClient
    let logger: Logger

    /// Creates a migrator over `postgres`.
    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Applies every migration not yet recorded and returns the names applied.
    @discardableResult
    public func apply(_ migrations: [MigrationFile]) async throws -> [String] {
        try await postgres.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
            do {
                let applied = try await applyLocked(migrations, on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey])
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey])
                throw error
            }
        }
    }

    private func applyLocked(_ migrations: [MigrationFile], on connection: PostgresConnection) async throws -> [String] {
        try await connection.simpleQuery("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                name        TEXT NOT NULL,
                checksum    TEXT NOT NULL,
                applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """)
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for row in try await connection.query("SELECT version, name, checksum FROM schema_migrations") {
            recorded[try row.decode("version", as: Int.self)] = (try row.decode("name"), try row.decode("checksum"))
        }
        var applied: [String] = []
        for migration in migrations {
            if let existing = recorded[migration.version] {
                guard existing.checksum == migration.checksum else {
                    throw StoreError(
                        .migrationChanged,
                        "migration \(migration.name) was changed after it was applied; add a new migration instead"
                    )
                }
                continue
            }
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            try await connection.inTransaction { connection in
                try await connection.simpleQuery(migration.sql)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum]
                )
            }
            applied.append(migration.name)
        }
        return applied
    }
}
