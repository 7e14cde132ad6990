import Postgres

/// Whether the database answers a trivial query on a pooled connection.
public struct PostgresHealthProbe: HealthProbe {
    let postgres: PostgresClient

    /// Asks through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    public func checkDatabase() async throws {
        try await postgres.query("SELECT 1")
    }
}
