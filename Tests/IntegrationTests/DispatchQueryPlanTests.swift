import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing

/// Found by the load run: the dispatcher's queue update read the whole
/// queue for every batch. These tests hold the statements to their indexes,
/// read from PostgreSQL's own table statistics.
@Suite("Dispatch statements use their indexes", .timeLimit(.minutes(2)))
struct DispatchQueryPlanTests {
    /// Both ways a session may plan: the dispatcher's own, and for each call.
    @Test(
        "a dispatch reads the queue, the users, their preferences and their rate windows by index, not by scanning them",
        arguments: [PostgresDispatchRepository.statementPlanning, .forEachCall]
    )
    func dispatchUsesIndexes(planning: StatementPlanning) async throws {
        try await TestDatabase.with(planning: planning) { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            // A queue with history, as in a system that has run for a while.
            try await postgres.query(
                """
                INSERT INTO sag_reminder_queue (reminder_id, sag_id, event_type, status, processed_at)
                SELECT $1, $2, 'status_change', 'sent', now() FROM generate_series(1, 20000)
                """,
                [reminder, sag]
            )
            // And many users, most with preferences.
            try await postgres.query(
                """
                WITH made AS (
                    INSERT INTO users (username, email)
                    SELECT 'bulk-' || n, 'bulk-' || n || '@example.test' FROM generate_series(1, 5000) AS n
                    RETURNING user_id
                )
                INSERT INTO user_notification_preferences (user_id, notify_email) SELECT user_id, true FROM made
                """
            )
            try await postgres.query("INSERT INTO user_notification_preferences (user_id) VALUES ($1)", [user])
            // A busy recipient: an hour of log rows that are not dispatches (skipped ones, so
            // the window still lets this dispatch through).
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, channel, status, created_at)
                SELECT $1, $2, $3, 'email', 'skipped', now() - (n % 3000) * interval '1 second'
                  FROM generate_series(1, 5000) AS n
                """,
                [reminder, sag, user]
            )
            try await postgres.query("ANALYZE sag_reminder_logs")
            try await postgres.query("ANALYZE sag_reminder_queue")
            try await postgres.query("ANALYZE users")
            try await postgres.query("ANALYZE user_notification_preferences")
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let event = try await Fixtures.firstFiredEvent(postgres)

            // Statistics reach the shared view when each session goes idle (within about 10 s).
            let settled = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                let queue = try await Self.statistics(of: "sag_reminder_queue", postgres)
                let preferences = try await Self.statistics(of: "user_notification_preferences", postgres)
                return queue.inserted >= 20_001 && preferences.inserted >= 5_001
            }
            #expect(settled)
            let before = try await Self.queueStatistics(postgres)
            let usersBefore = try await Self.statistics(of: "users", postgres)
            let preferencesBefore = try await Self.statistics(of: "user_notification_preferences", postgres)

            let dispatchesIndexBefore = try await Self.indexScans("sag_reminder_logs_user_dispatches_idx", postgres)
            let logBefore = try await Self.statistics(of: "sag_reminder_logs", postgres)
            let outcomes = try await PostgresDispatchRepository(postgres: postgres)
                .dispatch([event], planner: DispatchPlanner(rateLimit: RateLimitWindow(limit: 5)))
            #expect(outcomes.count == 1)
            let status = try await postgres.query("SELECT status FROM sag_reminder_queue WHERE event_id = $1", [event.eventID])
            #expect(try status[0].decode("status", as: String.self) == "sent")

            let counted = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await Self.queueStatistics(postgres).updated > before.updated
            }
            #expect(counted)
            let after = try await Self.queueStatistics(postgres)
            #expect(after.sequentialScans == before.sequentialScans, "the queue update scanned the queue: \(before) → \(after)")
            #expect(after.indexScans > before.indexScans)
            // The recipients' profile: the dispatch's only read of these two tables.
            let usersAfter = try await Self.statistics(of: "users", postgres)
            let preferencesAfter = try await Self.statistics(of: "user_notification_preferences", postgres)
            #expect(usersAfter.sequentialScans == usersBefore.sequentialScans, "users scanned: \(usersBefore) → \(usersAfter)")
            #expect(usersAfter.indexScans > usersBefore.indexScans)
            #expect(
                preferencesAfter.sequentialScans == preferencesBefore.sequentialScans,
                "preferences scanned: \(preferencesBefore) → \(preferencesAfter)"
            )
            // The rate window reads the recipient's dispatches only (migration 113), not every
            // log row of the hour; the dismissal check reads its own index; neither scans the log.
            #expect(try await Self.indexScans("sag_reminder_logs_user_dispatches_idx", postgres) > dispatchesIndexBefore)
            let logAfter = try await Self.statistics(of: "sag_reminder_logs", postgres)
            #expect(logAfter.sequentialScans == logBefore.sequentialScans, "the log was scanned: \(logBefore) → \(logAfter)")
        }
    }

    static func indexScans(_ index: String, _ postgres: PostgresClient) async throws -> Int {
        let rows = try await postgres.query("SELECT coalesce(idx_scan, 0) AS scans FROM pg_stat_user_indexes WHERE indexrelname = $1", [index])
        return try rows.first?.decode("scans", as: Int.self) ?? 0
    }

    static func queueStatistics(_ postgres: PostgresClient) async throws -> (inserted: Int, updated: Int, sequentialScans: Int, indexScans: Int) {
        try await statistics(of: "sag_reminder_queue", postgres)
    }

    static func statistics(of table: String, _ postgres: PostgresClient) async throws -> (inserted: Int, updated: Int, sequentialScans: Int, indexScans: Int) {
        let rows = try await postgres.query(
            """
            SELECT n_tup_ins AS inserted, n_tup_upd AS updated, seq_scan AS scans, coalesce(idx_scan, 0) AS index_scans
              FROM pg_stat_user_tables WHERE relname = $1
            """,
            [table]
        )
        return (
            try rows[0].decode("inserted", as: Int.self), try rows[0].decode("updated", as: Int.self),
            try rows[0].decode("scans", as: Int.self), try rows[0].decode("index_scans", as: Int.self)
        )
    }
}
