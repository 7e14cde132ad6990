/// How to reach PostgreSQL and how large the connection pool may grow.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI, e.g. `postgresql://user:password@127.0.0.1:5432/db` (usually `DATABASE_URL`).
    public var url: String
    /// The most connections a ``PostgresClient`` opens at once; further callers wait in FIFO order.
    public var maxConnections: Int = 8
    /// How long establishing one connection may take (libpq rounds up to whole seconds, at least 2).
    public var connectTimeout: Duration = .seconds(5)
    /// Reported to the server as `application_name`, so the backends show up in `pg_stat_activity`.
    public var applicationName: String = "case-reminders"
    /// How each connection plans its prepared statements.
    public var statementPlanning: StatementPlanning = .forEachCall

    /// Creates a configuration for the given libpq connection URI with default limits.
    public init(url: String) {
        self.url = url
    }
}
