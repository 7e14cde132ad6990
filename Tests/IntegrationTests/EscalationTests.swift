import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing

/// Escalation through the real pipeline: a step fires after its time when no
/// original recipient reacted, at most once with two schedulers, and not at all
/// after an acknowledgement.
@Suite("Escalation", .timeLimit(.minutes(4)))
struct EscalationTests {
    @Test("a step fires after its time when nobody acknowledged (once, with two schedulers), and stops after an acknowledgement")
    func fireAndStop() async throws {
        try await TestDatabase.with { database, postgres in
            let recipient = try await Fixtures.user(postgres)
            let boss = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let steps = #"[{"after_minutes": 1, "to_user_ids": [\#(boss)], "channels": ["frontend"]}]"#
            let ignored = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [recipient], scheduledAt: Date())
            let acknowledged = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [recipient], scheduledAt: Date())
            try await postgres.query("UPDATE sag_reminders SET escalation = $1::jsonb WHERE id = ANY($2)", [PostgresJSON(steps), [ignored, acknowledged]])

            try await Pipeline(schedulers: 2).run(database: database, postgres: postgres) {
                let scheduled = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_escalations") == 2
                }
                #expect(scheduled, "each dispatched firing schedules its step")
                _ = try await PostgresGatewayStore(postgres: postgres).acknowledge(reminderID: acknowledged, sagID: sag, userID: recipient)

                let settled = try await eventually(timeout: .seconds(150), every: .milliseconds(200)) {
                    try await count(postgres, "sag_reminder_escalations", where: "state <> 'pending'") == 2
                }
                #expect(settled)
                let delivered = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "user_id = \(boss) AND status = 'dispatched'") >= 1
                }
                #expect(delivered, "the escalation went through the dispatcher")
                // Time for a second scheduler to fire the step again, if it could.
                let doubled = try await eventually(timeout: .seconds(2)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'escalated'") > 1
                }
                #expect(!doubled)
            }
            // The ignored firing escalated once, after its minute, with its reason.
            let fired = try await postgres.query(
                """
                SELECT l.reason, l.created_at, e.fired_at, e.state
                  FROM sag_reminder_logs l JOIN sag_reminder_escalations e ON e.event_id = l.event_id
                 WHERE l.reminder_id = $1 AND l.status = 'escalated'
                """,
                [ignored]
            )
            #expect(fired.count == 1)
            if let row = fired.first {
                let firedAt: Date = try row.decode("fired_at")
                let escalatedAt: Date = try row.decode("created_at")
                #expect(escalatedAt >= firedAt.addingTimeInterval(60), "not before its time")
                #expect(try row.decode("reason", as: String.self) == "escalation step 1: nobody acknowledged within 1 minute; escalated to user \(boss)")
            }
            #expect(try await count(postgres, "sag_reminder_queue", where: "event_type = 'escalation' AND recipient_user_id = \(boss) AND reminder_id = \(ignored)") == 1)
            #expect(try await count(postgres, "sag_reminder_inbox", where: "user_id = \(boss) AND reminder_id = \(ignored)") == 1)
            #expect(try await count(postgres, "reminder_outbox", where: "topic LIKE 'reminders.deliver.%' AND message_key = '\(boss)'") == 0,
                    "only the step's channel: in-app, which goes straight to the inbox")

            // The acknowledged firing's step stopped, logged with who stopped it; the boss heard nothing of it.
            let stopped = try await postgres.query(
                "SELECT reason FROM sag_reminder_logs WHERE reminder_id = $1 AND status = 'escalation_stopped'", [acknowledged]
            )
            #expect(try stopped.map { try $0.decode("reason", as: String.self) } == ["escalation step 1 stopped: acknowledged by user \(recipient)"])
            #expect(try await count(postgres, "sag_reminder_logs", where: "reminder_id = \(acknowledged) AND status = 'escalated'") == 0)
            #expect(try await count(postgres, "sag_reminder_queue", where: "event_type = 'escalation' AND reminder_id = \(acknowledged)") == 0)
        }
    }
}
