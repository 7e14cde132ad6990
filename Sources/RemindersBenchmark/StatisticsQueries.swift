import ArgumentParser
import Foundation
import ReminderDomain
import ReminderStore

/// The statistics and history reads over a large execution log (10 million rows by default):
/// their latency per request, as the gateway runs them.
struct StatisticsQueries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats-queries",
        abstract: "p50/p99 of case statistics and of a history page (with its statistics) over a large execution log."
    )

    @Option(help: "Execution-log rows to load.") var rows = 10_000_000
    @Option(help: "In-app inbox rows to load.") var inboxRows = 1_000_000
    @Option(help: "Cases the rows are spread over.") var cases = 10_000
    @Option(help: "Users the rows are spread over.") var users = 10_000
    @Option(help: "Days back the rows are spread over.") var days = 365
    @Option(help: "Requests timed per kind (after a warm-up of a tenth as many).") var requests = 1000
    @Option(help: "Days in each request's window (the API's default is 30).") var windowDays = 30
    @Option(help: "The p99 target in milliseconds, to print beside the figure.") var targetMilliseconds = 50.0
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await database.withClient { postgres in
                let fixtures = BenchmarkFixtures(postgres: postgres)
                let settings = try await fixtures.durabilitySettings()
                print("PostgreSQL fsync=\(settings.fsync) synchronous_commit=\(settings.synchronousCommit); load average at the start: \(loadAverage())")
                let loadStart = ContinuousClock.now
                let rowsToLoad = rows
                try await fixtures.addStatisticsLog(rows: rows, cases: cases, users: users, days: days) { written in
                    print("  log rows written: \(written) of \(rowsToLoad)")
                }
                try await fixtures.addStatisticsInbox(rows: inboxRows, cases: cases, users: users, days: days)
                try await fixtures.vacuumStatisticsTables()
                print("loaded \(rows) log rows and \(inboxRows) inbox rows in \(format((ContinuousClock.now - loadStart).seconds)) s")

                let store = PostgresGatewayStore(postgres: postgres)
                var generator = SystemRandomNumberGenerator()
                let window = TimeInterval(windowDays) * 86_400
                func filter() -> StatisticsFilter {
                    let now = Date()
                    return StatisticsFilter(from: now.addingTimeInterval(-window), to: now)
                }
                let scansBefore = try await fixtures.sequentialScansOfStatisticsTables()
                var caseTimes: [Double] = []
                var historyTimes: [Double] = []
                var rowsSeen = 0
                for index in 0..<(requests + requests / 10) {
                    let timed = index >= requests / 10
                    let sag = Int.random(in: 1...cases, using: &generator)
                    let user = Int.random(in: 1...users, using: &generator)
                    var started = ContinuousClock.now
                    let statistics = try await store.caseStatistics(sagID: sag, filter: filter())
                    if timed { caseTimes.append((ContinuousClock.now - started).seconds * 1000) }
                    rowsSeen += statistics.outcomes.values.reduce(0, +)
                    // A history request reads a page and the window's statistics of the user.
                    started = ContinuousClock.now
                    let page = try await store.history(userID: user, filter: filter(), before: nil, limit: 50)
                    _ = try await store.userStatistics(userID: user, filter: filter())
                    if timed { historyTimes.append((ContinuousClock.now - started).seconds * 1000) }
                    rowsSeen += page.count
                }
                // The statistics view catches up within a second or two.
                try await Task.sleep(for: .seconds(2))
                let scans = try await fixtures.sequentialScansOfStatisticsTables() - scansBefore
                for (name, times) in [("case statistics (GET /api/v1/sag/{sag_id}/reminders/stats)", caseTimes),
                                      ("history page + statistics (GET /api/v1/users/me/notifications/history)", historyTimes)] {
                    let summary = Summary(times)
                    let p99 = summary.percentile(99)
                    print("\(name): \(times.count) requests, p50 \(format(summary.median, 2)) ms, p99 \(format(p99, 2)) ms, max \(format(summary.percentile(100), 2)) ms — p99 target ≤ \(format(targetMilliseconds, 0)) ms: \(p99 <= targetMilliseconds ? "held" : "MISSED")")
                }
                print("outcome rows counted per request on average: \(format(Double(rowsSeen) / Double(max(1, requests + requests / 10)), 1)); sequential scans of the log or the inbox during the requests: \(scans)")
                print("load average at the end: \(loadAverage())")
            }
        }
    }
}
