import ArgumentParser
import Logging
import Postgres
import ReminderStore

/// `reminders migrate`: applies the migrations folder to `DATABASE_URL`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply each migration in MIGRATIONS_DIR once, in order, each in a transaction."
    )

    func run() async throws {
        try await reportingFailures(of: "migrate") {
            let settings = try Settings()
            let logger = makeLogger(label: "reminders.migrate", settings: settings)
            let migrations = try MigrationFile.load(fromDirectory: settings.migrationsDirectory)
            let configuration = PostgresConfiguration(url: try settings.requireDatabaseURL())
            try await checkDatabase(configuration, logger: logger)
            let postgres = PostgresClient(configuration: configuration, logger: logger)
            let applied = try await withPostgres(postgres) {
                try await Migrator(postgres: postgres, logger: logger).apply(migrations)
            }
            logger.info("migrations done", metadata: ["applied": "\(applied.count)", "known": "\(migrations.count)"])
        }
    }
}

/// Runs `body` while the pool's service runs, then shuts the pool down.
func withPostgres<R: Sendable>(_ postgres: PostgresClient, _ body: @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask {
            try await postgres.run()
            return nil
        }
        defer { group.cancelAll() }
        return try await body()
    }
}
