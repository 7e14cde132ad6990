import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing

/// Found by a fault run in CI: with two batches in flight, a batch that had
/// taken its clock before waiting for a recipient's rate window planned at a
/// moment earlier than the notifications the rival batch then committed, so
/// its window did not count them and a sixth notification went out.
@Suite("Dispatch rate window under concurrency", .timeLimit(.minutes(2)))
struct DispatchRateWindowTests {
    @Test("notifications committed while a dispatch waits for the recipient's window count against it")
    func windowCountsWhatWasCommittedWhileWaiting() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let event = try await Fixtures.firstFiredEvent(postgres)
            let repository = PostgresDispatchRepository(postgres: postgres)
            let planner = DispatchPlanner(rateLimit: RateLimitWindow(limit: 5))

            let (held, heldSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            // A rival holds the recipient's window and, once the dispatch is
            // waiting for it, commits the five notifications the hour allows.
            async let rival: Void = postgres.withTransaction { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["reminder-rate:" + RecipientKey.user(user).description]
                )
                heldSignal.yield()
                for await _ in release { break }
                try await connection.query(
                    """
                    INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, status, reason, dedupe_key, created_at)
                    SELECT $1, $2, $3, 'dispatched', 'rival', 'rival:' || n, clock_timestamp() FROM generate_series(1, 5) AS n
                    """,
                    [reminder, sag, user]
                )
            }
            for await _ in held { break }
            async let dispatched = repository.dispatch([event], planner: planner)
            let waiting = try await eventually(timeout: .seconds(20), every: .milliseconds(20)) {
                try await Fixtures.advisoryLockWaiters(postgres) > 0
            }
            #expect(waiting, "the dispatch never waited for the recipient's rate window")
            releaseSignal.yield()
            try await rival
            let outcomes = try await dispatched

            guard case .dispatched(let plan) = outcomes.first else {
                Issue.record("expected a plan, got \(outcomes)")
                return
            }
            #expect(plan.rateLimited == [.user(user)])
            #expect(plan.deliveries.isEmpty)
            let sent = try await postgres.query(
                "SELECT count(*) AS n FROM sag_reminder_logs WHERE user_id = $1 AND status = 'dispatched'", [user]
            )
            #expect(try sent[0].decode("n", as: Int.self) == 5)
        }
    }

    @Test("the window reads only each recipient's newest dispatches, and decides as if it had read them all")
    func newestDispatchesDecide() async throws {
        try await TestDatabase.with { _, postgres in
            // Busy: ten dispatches in the window, with a limit of three.
            // Freed: ten dispatches older than the window, two within it.
            let busy = try await Fixtures.user(postgres)
            let freed = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [busy, freed])
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, status, reason, dedupe_key, created_at)
                SELECT $1::integer, $2::integer, $3::integer, 'dispatched', 'earlier', 'earlier:busy:' || n, now() - n * interval '1 minute'
                  FROM generate_series(1, 10) AS n
                UNION ALL
                SELECT $1, $2, $4::integer, 'dispatched', 'earlier', 'earlier:freed:' || n, now() - interval '2 hours' - n * interval '1 minute'
                  FROM generate_series(1, 10) AS n
                UNION ALL
                SELECT $1, $2, $4, 'dispatched', 'earlier', 'earlier:freed-recent:' || n, now() - n * interval '1 minute'
                  FROM generate_series(1, 2) AS n
                """,
                [reminder, sag, busy, freed]
            )
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let event = try await Fixtures.firstFiredEvent(postgres)
            let outcomes = try await PostgresDispatchRepository(postgres: postgres)
                .dispatch([event], planner: DispatchPlanner(rateLimit: RateLimitWindow(limit: 3)))
            guard case .dispatched(let plan) = outcomes.first else {
                Issue.record("expected a plan, got \(outcomes)")
                return
            }
            #expect(plan.rateLimited == [.user(busy)])
            #expect(Set(plan.deliveries.compactMap(\.recipientUserID)) == [freed])
        }
    }
}
