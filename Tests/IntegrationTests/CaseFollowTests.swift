import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderScheduler
import ReminderStore
import Testing

/// Reminders follow their case: closing or soft-deleting it completes its
/// time-based and deadline reminders and withdraws their inbox entries;
/// reopening it re-arms the recurring ones at their next occurrence.
@Suite("Reminders follow the case", .timeLimit(.minutes(2)))
struct CaseFollowTests {
    @Test("closing a case completes its timed and deadline reminders and withdraws their pending entries; reopening re-arms the recurring one without a burst")
    func closeAndReopen() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres, status: "i_gang")
            try await postgres.query("UPDATE sag_sager SET deadline = now() + interval '3 days' WHERE id = $1", [sag])
            // Three days behind its anchor: without the reopening rule it would fire at once.
            let daily = try await Fixtures.timeBasedReminder(
                postgres, sagID: sag, recipients: [user], recurrence: "daily", scheduledAt: Date().addingTimeInterval(-3 * 86_400 + 3600)
            )
            let once = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], scheduledAt: Date().addingTimeInterval(3600))
            let deadline = try await CaseFollowTests.deadlineReminder(postgres, sagID: sag, recipient: user)
            let onStatus = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "afsluttet", recipients: [user])
            try await CaseFollowTests.inboxEntry(postgres, reminderID: daily, sagID: sag, userID: user)
            let store = PostgresGatewayStore(postgres: postgres)
            #expect(try await store.pending(userID: user, limit: 10).entries.map(\.reminderID) == [daily])

            try await postgres.query("UPDATE sag_sager SET status = 'afsluttet' WHERE id = $1", [sag])

            for reminder in [daily, once, deadline] {
                let row = try await postgres.query(
                    "SELECT is_active, stopped_at IS NOT NULL AS stopped FROM sag_reminders WHERE id = $1", [reminder]
                )[0]
                #expect(try row.decode("is_active", as: Bool.self) == false, "reminder \(reminder)")
                #expect(try row.decode("stopped", as: Bool.self), "reminder \(reminder)")
                #expect(try await CaseFollowTests.logReasons(postgres, reminder, "completed") == ["case closed"])
            }
            // A status-change reminder is not a schedule: it stays, and fired on this very change.
            let statusRow = try await postgres.query("SELECT is_active, fire_count FROM sag_reminders WHERE id = $1", [onStatus])[0]
            #expect(try statusRow.decode("is_active", as: Bool.self))
            #expect(try statusRow.decode("fire_count", as: Int.self) == 1)
            #expect(try await store.pending(userID: user, limit: 10).entries.isEmpty, "the entry of the completed reminder is withdrawn")
            // A firing of it still on its way when the case closed is skipped, not delivered.
            let late = FiredEvent(eventID: UUID(), eventType: .timeBased, reminderID: daily, sagID: sag, occurredAt: Date())
            let outcome = try await PostgresDispatchRepository(postgres: postgres)
                .dispatch(late, planner: DispatchPlanner(rateLimit: RateLimitWindow(limit: 5)))
            guard case .dispatched(let plan) = outcome else {
                Issue.record("expected a plan, got \(outcome)")
                return
            }
            #expect(plan.deliveries.isEmpty)
            #expect(plan.logEntries.map(\.status) == [.skipped])

            // Moving between closing statuses changes nothing.
            try await postgres.query("UPDATE sag_sager SET status = 'lukket' WHERE id = $1", [sag])
            #expect(try await CaseFollowTests.logReasons(postgres, daily, "completed").count == 1)

            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            #expect(try await CaseFollowTests.logReasons(postgres, daily, "rearmed") == ["case reopened"])
            #expect(try await CaseFollowTests.logReasons(postgres, once, "rearmed").isEmpty)
            #expect(try await CaseFollowTests.logReasons(postgres, deadline, "rearmed").isEmpty)

            let reopenedAt = Date()
            try await CaseFollowTests.runningScheduler(postgres) {
                let rearmed = try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                    try await postgres.query("SELECT is_active FROM sag_reminders WHERE id = $1 AND NOT rearm_pending", [daily])
                        .first?.decode("is_active", as: Bool.self) == true
                }
                #expect(rearmed)
            }
            let row = try await postgres.query(
                "SELECT next_check_at, fire_count, stopped_at IS NULL AS live FROM sag_reminders WHERE id = $1", [daily]
            )[0]
            let next: Date = try row.decode("next_check_at")
            // The next 24-hour step of the anchor after the reopening: in about an hour, not now.
            #expect(next > reopenedAt.addingTimeInterval(3000) && next < reopenedAt.addingTimeInterval(4200), "\(next)")
            #expect(try row.decode("fire_count", as: Int.self) == 0, "no firing for the days the case was closed")
            #expect(try row.decode("live", as: Bool.self))
            let fired = try await postgres.query(
                "SELECT count(*) AS n FROM reminder_outbox WHERE topic = 'reminders.fired' AND payload ->> 'reminder_id' = $1", [String(daily)]
            )[0].decode("n", as: Int.self)
            #expect(fired == 0)
            // The entry withdrawn on closing stays withdrawn: it belonged to a firing before the closing.
            #expect(try await store.pending(userID: user, limit: 10).entries.isEmpty)
            #expect(try await postgres.query("SELECT withdrawn_at IS NOT NULL AS w FROM sag_reminder_inbox WHERE reminder_id = $1", [daily])[0]
                .decode("w", as: Bool.self))
            for reminder in [once, deadline] {
                #expect(try await postgres.query("SELECT is_active FROM sag_reminders WHERE id = $1", [reminder])[0]
                    .decode("is_active", as: Bool.self) == false)
            }
        }
    }

    @Test("a soft-deleted case completes its reminders the same way; the scheduler's configured closing statuses apply")
    func softDeleteAndConfiguredStatuses() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let deleted = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.timeBasedReminder(postgres, sagID: deleted, recipients: [user], scheduledAt: Date().addingTimeInterval(3600))
            try await postgres.query("UPDATE sag_sager SET deleted_at = now() WHERE id = $1", [deleted])
            #expect(try await CaseFollowTests.logReasons(postgres, reminder, "completed") == ["case closed"])
            #expect(try await postgres.query("SELECT is_active FROM sag_reminders WHERE id = $1", [reminder])[0]
                .decode("is_active", as: Bool.self) == false)

            let archived = try await Fixtures.caseRow(postgres)
            let other = try await Fixtures.timeBasedReminder(postgres, sagID: archived, recipients: [user], scheduledAt: Date().addingTimeInterval(3600))
            var configuration = SchedulerConfiguration()
            configuration.caseClosingStatuses = CaseClosingStatuses(["arkiveret"])
            try await CaseFollowTests.runningScheduler(postgres, configuration: configuration) {
                let stored = try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                    try await postgres.query("SELECT array_agg(status ORDER BY status) AS s FROM sag_reminder_closing_statuses")[0]
                        .decode("s", as: [String]?.self) == ["arkiveret"]
                }
                #expect(stored)
            }
            try await postgres.query("UPDATE sag_sager SET status = 'afsluttet' WHERE id = $1", [archived])
            #expect(try await CaseFollowTests.logReasons(postgres, other, "completed").isEmpty, "afsluttet no longer closes")
            try await postgres.query("UPDATE sag_sager SET status = 'arkiveret' WHERE id = $1", [archived])
            #expect(try await CaseFollowTests.logReasons(postgres, other, "completed") == ["case closed"])
        }
    }
}

extension CaseFollowTests {
    static func deadlineReminder(_ postgres: PostgresClient, sagID: Int, recipient: Int) async throws -> Int {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)
            VALUES ($1, 'Deadline', 'deadline_approaching', '{"hours_before": 24}'::jsonb, $2)
            RETURNING id
            """,
            [sagID, [recipient]]
        )[0].decode("id")
    }

    /// An entry as the dispatcher writes it.
    static func inboxEntry(_ postgres: PostgresClient, reminderID: Int, sagID: Int, userID: Int) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority)
            VALUES (gen_random_uuid()::text, gen_random_uuid(), $1, $2, $3, 'Follow up', 'normal')
            """,
            [reminderID, sagID, userID]
        )
    }

    static func logReasons(_ postgres: PostgresClient, _ reminderID: Int, _ status: String) async throws -> [String] {
        try await postgres.query(
            "SELECT reason FROM sag_reminder_logs WHERE reminder_id = $1 AND status = $2 ORDER BY id", [reminderID, status]
        ).map { try $0.decode("reason", as: String.self) }
    }

    /// Runs one scheduler while `body` runs.
    static func runningScheduler(
        _ postgres: PostgresClient, configuration: SchedulerConfiguration = SchedulerConfiguration(),
        _ body: @Sendable () async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.enabled = true
        configuration.longestSleep = .seconds(1)
        let scheduler = SchedulerService(
            postgres: postgres, repository: PostgresSchedulerRepository(postgres: postgres),
            configuration: configuration, logger: TestEnvironment.logger("test.scheduler")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }
}
