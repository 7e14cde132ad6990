import Foundation
import Logging
import Postgres
import ReminderStore

/// A database of its own for one test, migrated from `migrations/`, dropped
/// when the test ends.
struct TestDatabase: Sendable {
    let name: String
    let url: String

    /// Creates and migrates a new database, runs `body` with it, drops it.
    /// `planning` is how the client's sessions plan (a role's own, to test its plans).
    static func with<R: Sendable>(
        planning: StatementPlanning = .forEachCall,
        _ body: @Sendable (TestDatabase, PostgresClient) async throws -> R
    ) async throws -> R {
        let database = try await create()
        var configuration = database.configuration
        configuration.statementPlanning = planning
        let client = PostgresClient(configuration: configuration, logger: TestEnvironment.logger("test.postgres"))
        do {
            let result = try await withThrowingTaskGroup(of: R?.self) { group in
                group.addTask {
                    try await client.run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await body(database, client)
            }
            try? await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    static func create() async throws -> TestDatabase {
        let name = "test_" + TestEnvironment.uniqueSuffix()
        let admin = try await PostgresConnection.connect(
            configuration: PostgresConfiguration(url: TestEnvironment.databaseURL),
            logger: TestEnvironment.logger("test.admin")
        )
        defer { admin.close() }
        try await admin.simpleQuery("CREATE DATABASE \"\(name)\"")
        let database = TestDatabase(name: name, url: Self.url(replacingDatabaseIn: TestEnvironment.databaseURL, with: name))
        let client = PostgresClient(configuration: database.configuration, logger: TestEnvironment.logger("test.migrate"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await Migrator(postgres: client, logger: TestEnvironment.logger("test.migrate"))
                .apply(try MigrationFile.load(fromDirectory: TestEnvironment.migrationsDirectory))
        }
        return database
    }

    var configuration: PostgresConfiguration {
        var configuration = PostgresConfiguration(url: url)
        configuration.applicationName = "test-\(name)"
        return configuration
    }

    func drop() async throws {
        let admin = try await PostgresConnection.connect(
            configuration: PostgresConfiguration(url: TestEnvironment.databaseURL),
            logger: TestEnvironment.logger("test.admin")
        )
        defer { admin.close() }
        try await admin.simpleQuery("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    static func url(replacingDatabaseIn url: String, with database: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        return components.string!
    }
}
