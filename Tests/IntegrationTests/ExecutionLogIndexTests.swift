import Foundation
import Postgres
import ReminderStore
import Testing

/// Migration 125 dropped three indexes of the execution log that no reader
/// used. These reads of the gateway must still find their rows by index on a
/// log with history, counted in PostgreSQL's own statistics.
@Suite("The execution log's readers use its indexes", .timeLimit(.minutes(2)))
struct ExecutionLogIndexTests {
    @Test("a user's history, statistics and held list, a case's statistics and a reminder's log read the log by index")
    func readersUseIndexes() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            // Thirty days of a busy hub: every outcome, on many users, cases and reminders,
            // a few of them this test's, some for bare addresses.
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason,
                                               dedupe_key, created_at)
                SELECT CASE WHEN n % 100 = 0 THEN $1 ELSE 100000 + n % 5000 END,
                       CASE WHEN n % 100 = 0 THEN $2 ELSE 100000 + n % 3000 END,
                       md5((n / 8)::text)::uuid,
                       CASE WHEN n % 20 = 0 THEN NULL WHEN n % 100 = 1 THEN $3 ELSE 100000 + (n * 7919) % 8000 END,
                       CASE WHEN n % 20 = 0 THEN 'a' || n % 500 || '@example.test' END,
                       (ARRAY['email', 'mattermost', 'frontend', NULL])[1 + n % 4],
                       (ARRAY['fired', 'dispatched', 'sent', 'sent', 'skipped', 'rate_limited', 'failed', 'deferred'])[1 + (n / 3) % 8],
                       'history', 'history:' || n, now() - (n % 2592000) * interval '1 second'
                  FROM generate_series(1, 40000) AS n
                """,
                [reminder, sag, user]
            )
            try await postgres.query("ANALYZE sag_reminder_logs")
            let settled = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres).inserted >= 40_000
            }
            #expect(settled)
            let before = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres)
            let indexes = ["sag_reminder_logs_user_outcomes_idx", "sag_reminder_logs_case_outcomes_idx", "sag_reminder_logs_reminder_idx"]
            var scans: [String: Int] = [:]
            for index in indexes { scans[index] = try await DispatchQueryPlanTests.indexScans(index, postgres) }
            let indexBefore = scans

            let store = PostgresGatewayStore(postgres: postgres)
            let window = StatisticsFilter(from: Date().addingTimeInterval(-30 * 86_400), to: Date().addingTimeInterval(60))
            let history = try await store.history(userID: user, filter: window, before: nil, limit: 50)
            #expect(!history.isEmpty)
            _ = try await store.userStatistics(userID: user, filter: window)
            _ = try await store.caseStatistics(sagID: sag, filter: window)
            _ = try await store.held(userID: user, limit: 20)
            let log = try await store.executionLog(reminderID: reminder, before: nil, limit: 50)
            #expect(log.count == 50)

            // Each read's counts reach the shared view with its session's next report:
            // once every index has its scans, the reads' sequential scans are in too.
            let counted = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                for index in indexes where try await DispatchQueryPlanTests.indexScans(index, postgres) <= indexBefore[index]! {
                    return false
                }
                return true
            }
            #expect(counted, "not every index was read")
            let after = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres)
            #expect(after.sequentialScans == before.sequentialScans, "the log was scanned: \(before) → \(after)")
        }
    }
}
