import Foundation
import Postgres
import ReminderStore
import Testing

@Suite("Migrations", .timeLimit(.minutes(1)))
struct MigrationTests {
    @Test("the seed's database checklist succeeds on a fresh database")
    func seedChecklist() async throws {
        try await TestDatabase.with { _, postgres in
            // "Verify tables created"
            for table in ["sag_reminders", "user_notification_preferences", "sag_reminder_queue", "sag_reminder_logs"] {
                try await postgres.query("SELECT * FROM \(table) LIMIT 0")
            }
            // "Verify trigger exists"
            let triggers = try await postgres.query(
                "SELECT trigger_name FROM information_schema.triggers WHERE trigger_name LIKE 'sag%reminder%'"
            )
            #expect(triggers.map { $0["trigger_name"] }.contains("sag_status_change_reminder_trigger_exec"))
            let functions = try await postgres.query(
                "SELECT proname FROM pg_proc WHERE proname IN ('sag_status_change_reminder_trigger', 'check_reminder_rate_limit') ORDER BY proname"
            )
            #expect(functions.map { $0["proname"] } == ["check_reminder_rate_limit", "sag_status_change_reminder_trigger"])
            for view in ["v_pending_reminders", "v_pending_reminder_queue"] {
                try await postgres.query("SELECT * FROM \(view) LIMIT 0")
            }
        }
    }

    @Test("running the migrations again applies nothing")
    func rerunIsNoOp() async throws {
        try await TestDatabase.with { _, postgres in
            let migrations = try MigrationFile.load(fromDirectory: TestEnvironment.migrationsDirectory)
            let applied = try await Migrator(postgres: postgres, logger: TestEnvironment.logger("test")).apply(migrations)
            #expect(applied.isEmpty)
            let recorded = try await postgres.query("SELECT count(*) AS n FROM schema_migrations")
            #expect(try recorded[0].decode("n", as: Int.self) == migrations.count)
        }
    }

    @Test("an applied migration that was edited is refused")
    func editedMigrationRefused() async throws {
        try await TestDatabase.with { _, postgres in
            var migrations = try MigrationFile.load(fromDirectory: TestEnvironment.migrationsDirectory)
            migrations[0].sql += "\n-- edited"
            await #expect(throws: StoreError.self) {
                try await Migrator(postgres: postgres, logger: TestEnvironment.logger("test")).apply(migrations)
            }
        }
    }

    @Test("a failing migration leaves nothing behind")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.with { _, postgres in
            var migrations = try MigrationFile.load(fromDirectory: TestEnvironment.migrationsDirectory)
            migrations.append(MigrationFile(version: 9999, name: "9999_broken.sql", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();"))
            await #expect(throws: (any Error).self) {
                try await Migrator(postgres: postgres, logger: TestEnvironment.logger("test")).apply(migrations)
            }
            let tables = try await postgres.query("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'")
            #expect(try tables[0].decode("n", as: Int.self) == 0)
            let recorded = try await postgres.query("SELECT count(*) AS n FROM schema_migrations WHERE version = 9999")
            #expect(try recorded[0].decode("n", as: Int.self) == 0)
        }
    }
}
