import Foundation
import Postgres
import ReminderDomain
import Testing
import Timestamps

@Suite("Scheduler and dispatcher", .timeLimit(.minutes(2)))
struct SchedulerDispatcherTests {
    @Test("the seed's rate-limit check: 6 due reminders for one user → 5 dispatched, 1 rate_limited; another user unaffected")
    func seedRateLimit() async throws {
        try await TestDatabase.with { database, postgres in
            let alice = try await Fixtures.user(postgres)
            let bob = try await Fixtures.user(postgres)
            // Alice has a Mattermost username, so her default channels are Mattermost and the inbox.
            try await postgres.query("INSERT INTO user_notification_preferences (user_id, mattermost_username) VALUES ($1, 'alice')", [alice])
            let sag = try await Fixtures.caseRow(postgres)
            for _ in 0..<6 { _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [alice]) }
            for _ in 0..<2 { _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [bob]) }

            try await Pipeline().run(database: database, postgres: postgres) {
                let settled = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status IN ('dispatched', 'rate_limited')") == 8
                }
                #expect(settled)
            }
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(alice) AND status = 'dispatched'") == 5)
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(alice) AND status = 'rate_limited'") == 1)
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(bob) AND status = 'dispatched'") == 2)
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(bob) AND status = 'rate_limited'") == 0)
            let aliceQueue = "reminder_id IN (SELECT id FROM sag_reminders WHERE \(alice) = ANY(recipient_user_ids))"
            #expect(try await count(postgres, "sag_reminder_queue", where: "\(aliceQueue) AND status = 'sent'") == 5)
            #expect(try await count(postgres, "sag_reminder_queue", where: "\(aliceQueue) AND status = 'rate_limited'") == 1)
            // The default channels for each dispatched notification: a Mattermost
            // message through the outbox, and an inbox entry written at once.
            #expect(try await count(postgres, "reminder_outbox", where: "topic LIKE 'reminders.deliver.%' AND message_key = '\(alice)'") == 5)
            #expect(try await count(postgres, "sag_reminder_inbox", where: "user_id = \(alice)") == 5)
            // The SQL helper agrees.
            let allowed = try await postgres.query("SELECT check_reminder_rate_limit($1) AS ok", [alice])
            #expect(try allowed[0].decode("ok", as: Bool.self) == false)
        }
    }

    @Test("a once reminder fires once and deactivates; a daily one fires and moves to the same time tomorrow")
    func onceAndDaily() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let anchor = Date().addingTimeInterval(-90)
            let once = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], scheduledAt: anchor)
            let daily = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], recurrence: "daily", scheduledAt: anchor)

            try await Pipeline().run(database: database, postgres: postgres) {
                let condition1 = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 2
                }
                #expect(condition1)
            }
            let rows = try await postgres.query(
                "SELECT id, is_active, next_check_at, fire_count FROM sag_reminders WHERE id = ANY($1) ORDER BY id", [[once, daily]]
            )
            #expect(try rows[0].decode("is_active", as: Bool.self) == false)
            #expect(try rows[0].decode("next_check_at", as: Date?.self) == nil)
            #expect(try rows[0].decode("fire_count", as: Int.self) == 1)
            #expect(try rows[1].decode("is_active", as: Bool.self) == true)
            #expect(try rows[1].decode("fire_count", as: Int.self) == 1)
            let clock = WallClock(identifier: "Europe/Copenhagen")!
            let expected = clock.date(of: clock.adding(days: 1, to: clock.reading(at: anchor)))
            let next = try #require(try rows[1].decode("next_check_at", as: Date?.self))
            #expect(abs(next.timeIntervalSince(expected)) < 0.001)
        }
    }

    @Test("moving a case deadline reschedules its deadline_approaching reminder")
    func deadlineMove() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            try await postgres.query("UPDATE sag_sager SET deadline = '2030-05-10T12:00:00Z' WHERE id = $1", [sag])
            let reminder: Int = try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)
                VALUES ($1, 'Deadline', 'deadline_approaching', '{"hours_before": 24}', $2) RETURNING id
                """,
                [sag, [user]]
            )[0].decode("id")
            func next() async throws -> Date? {
                try await postgres.query("SELECT next_check_at FROM sag_reminders WHERE id = $1", [reminder])[0].decode("next_check_at", as: Date?.self)
            }
            #expect(try await next() == Timestamp.parse("2030-05-09T12:00:00Z"))
            try await postgres.query("UPDATE sag_sager SET deadline = '2030-06-01T08:30:00Z' WHERE id = $1", [sag])
            #expect(try await next() == Timestamp.parse("2030-05-31T08:30:00Z"))
            try await postgres.query("UPDATE sag_reminders SET trigger_config = '{\"hours_before\": 2.5}' WHERE id = $1", [reminder])
            #expect(try await next() == Timestamp.parse("2030-06-01T06:00:00Z"))
            try await postgres.query("UPDATE sag_sager SET deadline = NULL WHERE id = $1", [sag])
            #expect(try await next() == nil)
        }
    }

    @Test("a deadline reminder fires when the deadline comes within its offset")
    func deadlineFires() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)
                VALUES ($1, 'Deadline', 'deadline_approaching', '{"hours_before": 24}', $2)
                """,
                [sag, [user]]
            )
            try await Pipeline().run(database: database, postgres: postgres) {
                // Nothing is due while the case has no deadline.
                try await postgres.query("UPDATE sag_sager SET deadline = now() + interval '2 hours' WHERE id = $1", [sag])
                let condition2 = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 1
                }
                #expect(condition2)
            }
            let event = try await postgres.query("SELECT event_type FROM sag_reminder_queue")
            #expect(event.map { $0["event_type"] } == ["deadline_approaching"])
        }
    }

    @Test("one recipient's dismissal and snooze leave the other recipients untouched; the snooze re-fires for its user alone")
    func snoozeAndDismiss() async throws {
        try await TestDatabase.with { database, postgres in
            let alice = try await Fixtures.user(postgres)
            let bob = try await Fixtures.user(postgres)
            let carol = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [alice, bob, carol])
            try await postgres.query(
                "INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, status, interaction_type) VALUES ($1, $2, $3, 'dismissed', 'dismiss')",
                [reminder, sag, alice]
            )
            // A firing of another case first, so the dispatcher is known to be
            // consuming before Bob's short snooze starts.
            let warmUp = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: warmUp, targetStatus: "i_gang", recipients: [carol])

            try await Pipeline().run(database: database, postgres: postgres) {
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [warmUp])
                let condition3 = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched' AND user_id = \(carol)") == 1
                }
                #expect(condition3)
                try await postgres.query(
                    "INSERT INTO sag_reminder_snoozes (reminder_id, user_id, snoozed_until) VALUES ($1, $2, now() + interval '8 seconds')",
                    [reminder, bob]
                )
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                // Carol now; Bob when his snooze ends, through a re-fire for him alone.
                let condition4 = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched' AND user_id = \(bob)") == 1
                }
                #expect(condition4)
            }
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched' AND user_id = \(carol)") == 2)
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched' AND user_id = \(alice)") == 0)
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'skipped' AND user_id = \(alice) AND reason = 'dismissed by the recipient'") == 1)
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'skipped' AND user_id = \(bob) AND reason LIKE 'snoozed until%'") == 1)
            let refire = try await postgres.query("SELECT event_type, recipient_user_id FROM sag_reminder_queue WHERE event_type = 'snooze'")
            #expect(refire.count == 1)
            #expect(try refire.first?.decode("recipient_user_id", as: Int.self) == bob)
        }
    }

    @Test("two schedulers and two dispatchers on the same data: nothing fires twice, nothing is missed")
    func concurrentInstances() async throws {
        try await TestDatabase.with { database, postgres in
            var users: [Int] = []
            for _ in 0..<20 { users.append(try await Fixtures.user(postgres)) }
            let sag = try await Fixtures.caseRow(postgres)
            let reminders = 200
            try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
                SELECT $1, 'Bulk ' || n, 'time_based', ARRAY[($2::int[])[1 + n % 20]], now() - interval '1 minute'
                  FROM generate_series(1, $3) AS n
                """,
                [sag, users, reminders]
            )
            try await Pipeline(schedulers: 2, dispatchers: 2, maxPerHour: 1000).run(database: database, postgres: postgres) {
                let condition5 = try await eventually(timeout: .seconds(90)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == reminders
                }
                #expect(condition5)
            }
            #expect(try await count(postgres, "sag_reminders", where: "fire_count = 1") == reminders)
            #expect(try await count(postgres, "sag_reminder_queue") == reminders)
            let perFiring = try await postgres.query(
                "SELECT coalesce(max(n), 0) AS most FROM (SELECT count(*) AS n FROM sag_reminder_logs WHERE status = 'dispatched' GROUP BY event_id, user_id) AS per"
            )
            #expect(try perFiring[0].decode("most", as: Int.self) == 1)
        }
    }
    @Test("a daily reminder ten days overdue fires once, then resumes its rhythm")
    func overdueFiresOnce() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let anchor = Date().addingTimeInterval(-10 * 86_400 - 600)
            let reminder = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], recurrence: "daily", scheduledAt: anchor)
            try await Pipeline().run(database: database, postgres: postgres) {
                let fired = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 1
                }
                #expect(fired)
            }
            #expect(try await count(postgres, "sag_reminder_queue") == 1)
            let next = try #require(try await postgres.query("SELECT next_check_at FROM sag_reminders WHERE id = $1", [reminder])[0].decode("next_check_at", as: Date?.self))
            #expect(next > Date())
            #expect(next.timeIntervalSinceNow < 86_400)
        }
    }

    @Test("quiet hours: e-mail and Mattermost are held in the outbox until the window ends, the inbox entry goes at once, urgent ignores the window")
    func quietHoursDeferral() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            // A window around now, in UTC, that ends in about two hours.
            try await postgres.query(
                """
                INSERT INTO user_notification_preferences (user_id, notify_email, notify_mattermost, notify_frontend,
                       quiet_hours_enabled, quiet_hours_start, quiet_hours_end, timezone, mattermost_username)
                VALUES ($1, TRUE, TRUE, TRUE, TRUE, (now() AT TIME ZONE 'UTC' - interval '1 hour')::time,
                        (now() AT TIME ZONE 'UTC' + interval '2 hours')::time, 'UTC', 'quiet.user')
                """,
                [user]
            )
            let sag = try await Fixtures.caseRow(postgres)
            let normal = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user])
            let urgent = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], priority: "urgent")
            try await Pipeline().run(database: database, postgres: postgres) {
                let settled = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 2
                }
                #expect(settled)
            }
            func held(_ reminder: Int, _ channel: String) async throws -> Bool {
                let rows = try await postgres.query(
                    "SELECT available_at > now() + interval '1 hour' AS held FROM reminder_outbox WHERE topic = $1 AND (payload ->> 'reminder_id')::int = $2",
                    ["reminders.deliver.\(channel)", reminder]
                )
                let row = try #require(rows.first, "no \(channel) delivery of reminder \(reminder)")
                return try row.decode("held")
            }
            #expect(try await held(normal, "email"))
            #expect(try await held(normal, "mattermost"))
            // The inbox entry is written with the decision, not held.
            #expect(try await count(postgres, "sag_reminder_inbox", where: "reminder_id = \(normal) AND user_id = \(user)") == 1)
            #expect(try await held(urgent, "email") == false)
            #expect(try await held(urgent, "mattermost") == false)
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'deferred' AND reminder_id = \(normal)") == 2)
            #expect(try await count(postgres, "sag_reminder_logs", where: "status = 'deferred' AND reminder_id = \(urgent)") == 0)
        }
    }
}
