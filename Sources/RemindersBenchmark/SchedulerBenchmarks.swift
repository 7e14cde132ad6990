import ArgumentParser
import Foundation
import Postgres
import ReminderScheduler
import ReminderStore

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

/// User 1 and case 1, which the scheduler benchmarks' reminders name.
private func seedCase(_ fixtures: BenchmarkFixtures) async throws {
    try await fixtures.addUser(name: "bench")
    try await fixtures.addCase(title: "Bench case")
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
                let fixtures = BenchmarkFixtures(postgres: postgres)
                try await seedCase(fixtures)
                let loadStart = ContinuousClock.now
                try await fixtures.addStoredReminders(count: stored)
                try await fixtures.analyzeReminders()
                print("loaded \(stored) stored reminders in \(format((ContinuousClock.now - loadStart).seconds)) s")
                // Due times spread evenly, starting a few seconds from now.
                try await fixtures.addDueReminders(count: due, spreadSeconds: spread)
                let values = try await runScheduler(postgres, batchSize: 500) {
                    while try await fixtures.queuedFirings() < due {
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return try await fixtures.firingLatenessMilliseconds()
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
                let fixtures = BenchmarkFixtures(postgres: postgres)
                try await seedCase(fixtures)
                try await fixtures.addReminders(count: due, allDueAt: Date().addingTimeInterval(20))
                try await fixtures.analyzeReminders()
                let values = try await runScheduler(postgres, batchSize: batchSize, concurrency: concurrency) {
                    while try await fixtures.queuedFirings() < due {
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return try await fixtures.firingLatenessMilliseconds()
                }
                let summary = Summary(values)
                let seconds = summary.percentile(100) / 1000
                print("scheduler burst: \(values.count)/\(due) fired, \(format(Double(values.count) / seconds, 0)) fires/s, lateness p50 \(format(summary.median, 1)) ms, p99 \(format(summary.percentile(99), 1)) ms, max \(format(summary.percentile(100), 1)) ms")
            }
        }
    }
}
