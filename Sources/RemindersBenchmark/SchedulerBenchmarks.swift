import ArgumentParser
import Foundation
import Postgres
import ReminderScheduler
import ReminderStore

/// Lateness of firings: `occurred_at` (written in the firing transaction)
/// minus the `next_check_at` fired for, in milliseconds.
private func lateness(_ postgres: PostgresClient) async throws -> [Double] {
    try await postgres.query(
        """
        SELECT EXTRACT(EPOCH FROM ((event_data ->> 'occurred_at')::timestamptz - (event_data ->> 'due_at')::timestamptz)) * 1000 AS ms
          FROM sag_reminder_queue
        """
    ).map { try $0.decode("ms", as: Double.self) }
}

private func runScheduler<R: Sendable>(
    _ postgres: PostgresClient, batchSize: Int, concurrency: Int = 2, until done: @Sendable () async throws -> R
) async throws -> R {
    var configuration = SchedulerConfiguration()
    configuration.enabled = true
    configuration.batchSize = batchSize
    configuration.concurrency = concurrency
    let scheduler = SchedulerService(
        postgres: postgres, repository: PostgresSchedulerRepository(postgres: postgres),
        configuration: configuration, logger: quietLogger
    )
    return try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await scheduler.run(); return nil }
        defer { group.cancelAll() }
        return try await done()
    }
}

private func seedCase(_ postgres: PostgresClient) async throws {
    try await postgres.query("INSERT INTO users (username) VALUES ('bench')")
    try await postgres.query("INSERT INTO sag_sager (titel) VALUES ('Bench case')")
}

/// 1,000 reminders due spread over a minute while a million are stored.
struct SchedulerSteady: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler-steady", abstract: "Lateness of due reminders among a large stored set.")

    @Option(help: "Reminders stored, not due during the run.") var stored = 1_000_000
    @Option(help: "Reminders due during the run.") var due = 1000
    @Option(help: "Seconds over which they fall due.") var spread = 60
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await database.withClient { postgres in
                try await seedCase(postgres)
                let loadStart = ContinuousClock.now
                try await postgres.query(
                    """
                    INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, recurrence_type, scheduled_at)
                    SELECT 1, 'Stored ' || n, 'time_based', '{1}', 'daily', now() + interval '30 days' + n * interval '1 second'
                      FROM generate_series(1, $1) AS n
                    """,
                    [stored]
                )
                try await postgres.query("ANALYZE sag_reminders")
                print("loaded \(stored) stored reminders in \(format((ContinuousClock.now - loadStart).seconds)) s")
                // Due times spread evenly, starting a few seconds from now.
                try await postgres.query(
                    """
                    INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
                    SELECT 1, 'Due ' || n, 'time_based', '{1}', now() + interval '5 seconds' + n * ($2::float8 / $1) * interval '1 second'
                      FROM generate_series(1, $1) AS n
                    """,
                    [due, spread]
                )
                let values = try await runScheduler(postgres, batchSize: 500) {
                    while try await postgres.query("SELECT count(*) AS n FROM sag_reminder_queue")[0].decode("n", as: Int.self) < due {
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return try await lateness(postgres)
                }
                let summary = Summary(values)
                print("scheduler steady: \(due) due over \(spread) s among \(stored) stored: lateness p50 \(format(summary.median, 2)) ms, p99 \(format(summary.percentile(99), 2)) ms, max \(format(summary.percentile(100), 2)) ms")
            }
        }
    }
}

/// 100,000 reminders due at the same moment.
struct SchedulerBurst: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler-burst", abstract: "Fires/s and lateness when a large batch falls due at once.")

    @Option(help: "Reminders due at once.") var due = 100_000
    @Option(help: "Reminders claimed per transaction.") var batchSize = 500
    @Option(help: "Firing transactions at a time.") var concurrency = 2
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await database.withClient { postgres in
                try await seedCase(postgres)
                let dueAt = Date().addingTimeInterval(20)
                try await postgres.query(
                    """
                    INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
                    SELECT 1, 'Burst ' || n, 'time_based', '{1}', $2 FROM generate_series(1, $1) AS n
                    """,
                    [due, dueAt]
                )
                try await postgres.query("ANALYZE sag_reminders")
                let values = try await runScheduler(postgres, batchSize: batchSize, concurrency: concurrency) {
                    while try await postgres.query("SELECT count(*) AS n FROM sag_reminder_queue")[0].decode("n", as: Int.self) < due {
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return try await lateness(postgres)
                }
                let summary = Summary(values)
                let seconds = summary.percentile(100) / 1000
                print("scheduler burst: \(values.count)/\(due) fired, \(format(Double(values.count) / seconds, 0)) fires/s, lateness p50 \(format(summary.median, 1)) ms, p99 \(format(summary.percentile(99), 1)) ms, max \(format(summary.percentile(100), 1)) ms")
            }
        }
    }
}
