import Foundation
import Postgres

extension BenchmarkFixtures {
    /// `count` daily reminders on case 1 for user 1, first due 30 days from now, a second apart:
    /// stored, not due during a run.
    public func addStoredReminders(count: Int) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, recurrence_type, scheduled_at)
            SELECT 1, 'Stored ' || n, 'time_based', '{1}', 'daily', now() + interval '30 days' + n * interval '1 second'
              FROM generate_series(1, $1) AS n
            """,
            [count]
        )
    }

    /// `count` one-off reminders on case 1 for user 1, falling due evenly over `spreadSeconds`
    /// from 5 s after now.
    public func addDueReminders(count: Int, spreadSeconds: Int) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
            SELECT 1, 'Due ' || n, 'time_based', '{1}', now() + interval '5 seconds' + n * ($2::float8 / $1) * interval '1 second'
              FROM generate_series(1, $1) AS n
            """,
            [count, spreadSeconds]
        )
    }

    /// `count` one-off reminders on case 1 for user 1, all due at `dueAt`.
    public func addReminders(count: Int, allDueAt dueAt: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
            SELECT 1, 'Burst ' || n, 'time_based', '{1}', $2 FROM generate_series(1, $1) AS n
            """,
            [count, dueAt]
        )
    }

    /// Runs `ANALYZE` on the reminders after a bulk load.
    public func analyzeReminders() async throws {
        try await postgres.query("ANALYZE sag_reminders")
    }

    /// Firings the scheduler has queued.
    public func queuedFirings() async throws -> Int {
        try await count("SELECT count(*) AS n FROM sag_reminder_queue")
    }

    /// Each queued firing's lateness: when it fired (`occurred_at`, written in the firing
    /// transaction) minus when it was due, in milliseconds.
    public func firingLatenessMilliseconds() async throws -> [Double] {
        try await postgres.query(
            """
            SELECT EXTRACT(EPOCH FROM ((event_data ->> 'occurred_at')::timestamptz - (event_data ->> 'due_at')::timestamptz)) * 1000 AS ms
              FROM sag_reminder_queue
            """
        ).map { try $0.decode("ms", as: Double.self) }
    }
}
