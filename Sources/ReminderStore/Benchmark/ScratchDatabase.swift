import Postgres

/// Databases a benchmark creates for one run and drops afterwards.
public enum ScratchDatabase {
    /// Creates the empty database `name` through `admin`, a connection to another database.
    public static func create(_ name: String, through admin: PostgresConnection) async throws {
        try await admin.simpleQuery("CREATE DATABASE \(quoted(name))")
    }

    /// Drops the database `name`, if it exists, ending its sessions.
    public static func drop(_ name: String, through admin: PostgresConnection) async throws {
        try await admin.simpleQuery("DROP DATABASE IF EXISTS \(quoted(name)) WITH (FORCE)")
    }

    /// `name` as an identifier (a database name cannot be a parameter).
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
