import Foundation
import Postgres
import ReminderStore
import Testing

/// Found by the load run: every case status change woke the scheduler. It is
/// woken when a due time may change, and only then.
@Suite("Scheduler wake-ups", .timeLimit(.minutes(1)))
struct ScheduleWakeupTests {
    @Test("a status change's bookkeeping does not wake the scheduler; a new due time does")
    func wakeUps() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            let timed = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user])
            try await ScheduleWakeupTests.listening(to: "reminder_schedule", postgres) { received in

                // Notifications arrive in commit order, so what comes before each
                // marker was caused by the statement before it.
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                let fired = try await postgres.query("SELECT fire_count FROM sag_reminders WHERE trigger_type = 'status_change'")
                #expect(try fired[0].decode("fire_count", as: Int.self) == 1, "the status change fired its reminder")
                try await postgres.query("SELECT pg_notify('reminder_schedule', 'after-status-change')")
                try await postgres.query("UPDATE sag_reminders SET scheduled_at = now() + interval '1 hour' WHERE id = $1", [timed])
                try await postgres.query("SELECT pg_notify('reminder_schedule', 'after-reschedule')")

                let both = await eventually(timeout: .seconds(20)) { received.all.contains("after-reschedule") }
                #expect(both)
                let sequence = Array(received.all.drop { $0 != "ready" }.drop { $0 == "ready" })
                #expect(sequence == ["after-status-change", "", "after-reschedule"], "\(sequence)")
            }
        }
    }
}


extension ScheduleWakeupTests {
    @Test("the scheduler's pass over nothing due wakes neither itself nor the relay; a new snooze and an outbox row do")
    func idlePassSendsNothing() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            let repository = PostgresSchedulerRepository(postgres: postgres)
            for channel in ["reminder_schedule", "reminder_outbox"] {
                try await ScheduleWakeupTests.listening(to: channel, postgres) { received in

                    // A scheduler pass with nothing due: its snooze statement touches no row.
                    #expect(try await repository.fireDueReminders(limit: 10, now: Date()).isEmpty)
                    #expect(try await repository.fireDueSnoozes(limit: 10) == 0)
                    try await postgres.query("SELECT pg_notify($1, 'after-idle-pass')", [channel])
                    // A snooze (wakes the scheduler) and an outbox row (wakes the relay), several rows in one statement.
                    try await postgres.query(
                        "INSERT INTO sag_reminder_snoozes (reminder_id, user_id, snoozed_until) SELECT $1, $2, now() + interval '1 hour' FROM generate_series(1, 3)",
                        [reminder, user]
                    )
                    try await postgres.query(
                        """
                        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers)
                        SELECT gen_random_uuid(), 'test.wakeups', 'k', '{}'::jsonb, '{}'::jsonb FROM generate_series(1, 3)
                        """
                    )
                    try await postgres.query("SELECT pg_notify($1, 'after-rows')", [channel])

                    let done = await eventually(timeout: .seconds(20)) { received.all.contains("after-rows") }
                    #expect(done)
                    let sequence = Array(received.all.drop { $0 != "ready" }.drop { $0 == "ready" })
                    #expect(sequence == ["after-idle-pass", "", "after-rows"], "\(channel): \(sequence)")
                }
            }
        }
    }
}

extension ScheduleWakeupTests {
    /// Runs `body` while every payload on `channel` is collected, in order,
    /// from the moment a "ready" sent by the test came back (notifications
    /// sent before LISTEN took effect are lost).
    static func listening(
        to channel: String, _ postgres: PostgresClient, _ body: @Sendable (PayloadLog) async throws -> Void
    ) async throws {
        let received = PayloadLog()
        let notifications = postgres.listen(on: channel)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await notification in notifications where !notification.isReconnect {
                    received.append(notification.payload)
                }
            }
            defer { group.cancelAll() }
            let listening = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                try await postgres.query("SELECT pg_notify($1, 'ready')", [channel])
                return received.all.contains("ready")
            }
            #expect(listening)
            try await body(received)
        }
    }
}

/// Payloads received, in order, shared with the listening task.
final class PayloadLog: @unchecked Sendable {
    private let lock = NSLock()
    private var payloads: [String] = []
    func append(_ payload: String) { lock.withLock { payloads.append(payload) } }
    var all: [String] { lock.withLock { payloads } }
}
