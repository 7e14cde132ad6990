import ArgumentParser
import Foundation
import Postgres
import ReminderScheduler
import ReminderStore

/// Runs a scheduler until `firings` firings are queued; their lateness in milliseconds.
private func runScheduler(
    _ postgres: PostgresClient, fixtures: BenchmarkFixtures, batchSize: Int, concurrency: Int = 2, until firings: Int
) async throws -> [Double] {
    var configuration = SchedulerConfiguration()
    configuration.enabled = true
    configuration.batchSize = batchSize
    configuration.concurrency = concurrency
    let scheduler = SchedulerService(
        postgres: postgres, repository: PostgresSchedulerRepository(postgres: postgres),
        configuration: configuration, logger: quietLogger
    )
    return try await withThrowingTaskGroup(of: [Double]?.self) { group in
        group.addTask { try await scheduler.run(); return nil }
        defer { group.cancelAll() }
        while try await fixtures.queuedFirings() < firings {
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await fixtures.firingLatenessMilliseconds()
    }
}

/// Runs `body` on a scratch database holding user 1 and case 1, which the
/// scheduler benchmarks' reminders name.
private func withSeededCase(
    migrations: String, _ body: @Sendable (PostgresClient, BenchmarkFixtures) async throws -> Void
) async throws {
    try await BenchDatabase.with(migrationsDirectory: migrations) { database in
        try await database.withClient { postgres in
            let fixtures = BenchmarkFixtures(postgres: postgres)
            try await fixtures.addUser(name: "bench")
            try await fixtures.addCase(title: "Bench case")
            try await body(postgres, fixtures)
        }
    }
}

/// 1,000 reminders due spread over a minute while a million are stored.
struct SchedulerSteady: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler-steady", abstract: "Lateness of due reminders among a large stored set.")

    @Option(help: "Reminders stored, not due during the run.") var stored = 1_000_000
    @Option(help: "Reminders due during the run.") var due = 1000
    @Option(help: "Seconds over which they fall due.") var spread = 60
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        try await withSeededCase(migrations: migrations) { postgres, fixtures in
            let loadStart = ContinuousClock.now
            try await fixtures.addStoredReminders(count: stored)
            try await fixtures.analyzeReminders()
            print("loaded \(stored) stored reminders in \(format((ContinuousClock.now - loadStart).seconds)) s")
            // Due times spread evenly, starting a few seconds from now.
            try await fixtures.addDueReminders(count: due, spreadSeconds: spread)
            let summary = Summary(try await runScheduler(postgres, fixtures: fixtures, batchSize: 500, until: due))
            print("scheduler steady: \(due) due over \(spread) s among \(stored) stored: lateness p50 \(format(summary.median, 2)) ms, p99 \(format(summary.percentile(99), 2)) ms, max \(format(summary.percentile(100), 2)) ms")
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
        try await withSeededCase(migrations: migrations) { postgres, fixtures in
            try await fixtures.addReminders(count: due, allDueAt: Date().addingTimeInterval(20))
            try await fixtures.analyzeReminders()
            let values = try await runScheduler(postgres, fixtures: fixtures, batchSize: batchSize, concurrency: concurrency, until: due)
            let summary = Summary(values)
            let seconds = summary.percentile(100) / 1000
            print("scheduler burst: \(values.count)/\(due) fired, \(format(Double(values.count) / seconds, 0)) fires/s, lateness p50 \(format(summary.median, 1)) ms, p99 \(format(summary.percentile(99), 1)) ms, max \(format(summary.percentile(100), 1)) ms")
        }
    }
}
