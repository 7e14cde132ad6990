import Foundation
import Logging
import Postgres
import Testing

/// Shared helpers: the server address comes from `DATABASE_URL`; every test uses its own names.
enum TestDatabase {
    static func url() throws -> String {
        try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "set DATABASE_URL to run the PostgreSQL integration tests")
    }

    static func configuration(applicationName: String = uniqueName("pgtest"), maxConnections: Int = 4) throws -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: try url())
        configuration.applicationName = applicationName
        configuration.maxConnections = maxConnections
        return configuration
    }

    static func client(applicationName: String = uniqueName("pgtest"), maxConnections: Int = 4) throws -> PostgresClient {
        PostgresClient(
            configuration: try configuration(applicationName: applicationName, maxConnections: maxConnections),
            logger: logger
        )
    }

    static let logger = Logger(label: "PostgresIntegrationTests")

    /// A lowercase identifier that no other test (or test run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// Creates a table with the given column definitions, runs `body` with its name, drops it.
    static func withTable<R: Sendable>(
        _ client: PostgresClient,
        columns: String,
        name: String = uniqueName("pgtest"),
        _ body: (String) async throws -> R
    ) async throws -> R {
        let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try await client.query("CREATE TABLE \(quoted) (\(columns))")
        do {
            let result = try await body(name)
            try await client.query("DROP TABLE IF EXISTS \(quoted)")
            return result
        } catch {
            _ = try? await client.query("DROP TABLE IF EXISTS \(quoted)")
            throw error
        }
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(
        timeout: Duration = .seconds(10),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// How many server backends report this application name.
    static func backendCount(_ admin: PostgresClient, applicationName: String) async throws -> Int {
        try await admin.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
            [applicationName]
        ).first!.decode("n", as: Int.self)
    }

    /// Backend ids of sessions with this application name that have issued LISTEN and are idle.
    static func listeningBackends(_ admin: PostgresClient, applicationName: String) async throws -> [Int] {
        try await admin.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query LIKE 'LISTEN%'",
            [applicationName]
        ).map { try $0.decode("pid", as: Int.self) }
    }
}

/// Collects notifications from a background iteration so tests can wait for them with a deadline.
actor NotificationCollector {
    private(set) var received: [PostgresNotification] = []

    func append(_ notification: PostgresNotification) {
        received.append(notification)
    }
}
