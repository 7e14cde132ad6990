import Foundation
import Postgres
import ReminderDomain
import ReminderStore
import Testing

/// Found by the load run: the dispatcher's queue update read the whole
/// queue for every batch. These tests hold the statements to their indexes,
/// read from PostgreSQL's own table statistics.
@Suite("Dispatch statements use their indexes", .timeLimit(.minutes(2)))
struct DispatchQueryPlanTests {
    @Test("marking a firing's queue row reads it by index, not by scanning the queue")
    func queueUpdateUsesIndex() async throws {
        try await TestDatabase.with { _, postgres in
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
            try await postgres.query("ANALYZE sag_reminder_queue")
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let payload = try await postgres.query("SELECT payload::text AS payload FROM reminder_outbox WHERE topic = 'reminders.fired'")
            let event = try MessageCoding.decode(FiredEvent.self, from: Array(try payload[0].decode("payload", as: String.self).utf8))

            // Statistics reach the shared view when each session goes idle (within about 10 s).
            let settled = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await Self.queueStatistics(postgres).inserted >= 20_001
            }
            #expect(settled)
            let before = try await Self.queueStatistics(postgres)

            let outcomes = try await PostgresDispatchRepository(postgres: postgres)
                .dispatch([event], planner: DispatchPlanner(rateLimit: RateLimitWindow(limit: 5)), now: Date())
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
        }
    }

    static func queueStatistics(_ postgres: PostgresClient) async throws -> (inserted: Int, updated: Int, sequentialScans: Int, indexScans: Int) {
        let rows = try await postgres.query(
            """
            SELECT n_tup_ins AS inserted, n_tup_upd AS updated, seq_scan AS scans, coalesce(idx_scan, 0) AS index_scans
              FROM pg_stat_user_tables WHERE relname = 'sag_reminder_queue'
            """
        )
        return (
            try rows[0].decode("inserted", as: Int.self), try rows[0].decode("updated", as: Int.self),
            try rows[0].decode("scans", as: Int.self), try rows[0].decode("index_scans", as: Int.self)
        )
    }
}
