import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderGateway
import Testing

/// The `escalation` field and the held list through the gateway on PostgreSQL.
@Suite("Gateway escalation and held list on PostgreSQL", .timeLimit(.minutes(2)))
struct GatewayEscalationAPITests {
    @Test("escalation steps are stored, read back, replaced and cleared; unknown or deactivated users are 422 naming their place")
    func escalationField() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), boss = try await gateway.user(), gone = try await gateway.user(active: false)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let token = gateway.token(alice)
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: [
                "escalation": [
                    ["after_minutes": 30, "to_user_ids": [boss], "channels": ["email", "frontend"]],
                    ["after_minutes": 90, "to_user_ids": [boss, alice], "channels": ["mattermost"]],
                ],
            ])
            let read = try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: token)
            let steps = read.object["escalation"] as? [[String: Any]]
            #expect(steps?.map { $0["after_minutes"] as? Int } == [30, 90])
            #expect(steps?.last?["to_user_ids"] as? [Int] == [boss, alice])
            #expect(steps?.first?["channels"] as? [String] == ["email", "frontend"])
            let stored = try await gateway.postgres.query(
                "SELECT escalation -> 1 ->> 'after_minutes' AS minutes, escalation -> 1 -> 'to_user_ids' ->> 1 AS second FROM sag_reminders WHERE id = $1", [id]
            )[0]
            #expect(try stored.decode("minutes", as: String.self) == "90")
            #expect(try stored.decode("second", as: String.self) == String(alice))

            let unknown = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: [
                "escalation": [["after_minutes": 10, "to_user_ids": [boss, 987_654], "channels": ["email"]]],
            ])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.isProblem)
            #expect(unknown.field == "escalation[0].to_user_ids[1]")
            let deactivated = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: [
                "title": "Escalates to someone gone", "trigger_type": "status_change", "trigger_config": ["target_status": "i_gang"],
                "escalation": [["after_minutes": 10, "to_user_ids": [boss], "channels": ["email"]],
                               ["after_minutes": 20, "to_user_ids": [gone], "channels": ["email"]]],
            ])
            #expect(deactivated.status == .unprocessableContent)
            #expect(deactivated.field == "escalation[1].to_user_ids[0]")
            let decreasing = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: [
                "escalation": [["after_minutes": 20, "to_user_ids": [boss], "channels": ["email"]],
                               ["after_minutes": 20, "to_user_ids": [boss], "channels": ["email"]]],
            ])
            #expect(decreasing.field == "escalation[1].after_minutes")

            let cleared = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["escalation": NSNull()])
            #expect(cleared.status == .ok, "\(cleared.text)")
            #expect((cleared.object["escalation"] as? [Any])?.isEmpty == true)
            #expect(try await gateway.postgres.query("SELECT escalation IS NULL AS n FROM sag_reminders WHERE id = $1", [id])[0]
                .decode("n", as: Bool.self))
        }
    }

    @Test("held/me: the caller's own rate-limited notifications of the last 7 days, on cases the host's rule lets the caller see")
    func heldList() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let hidden = try await Fixtures.caseRow(gateway.postgres)
            let reminder = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            let other = try await createReminder(client, token: gateway.token(alice), sag: hidden, recipients: [alice])
            // Rate-limited decisions as the dispatcher logs them: two recent, one too old, one of Bob's, one on the hidden case.
            for (reminderID, sagID, user, age) in [(reminder, sag, alice, "1 minute"), (reminder, sag, alice, "2 hours"),
                                                    (reminder, sag, alice, "8 days"), (reminder, sag, bob, "1 minute"),
                                                    (other, hidden, alice, "1 minute")] {
                try await gateway.postgres.query(
                    """
                    INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, status, reason, dedupe_key, created_at)
                    VALUES ($1, $2, gen_random_uuid(), $3, 'rate_limited', '5 notifications in the last hour; the limit is 5',
                            gen_random_uuid()::text, now() - $4::interval)
                    """,
                    [reminderID, sagID, user, age]
                )
            }
            try await gateway.postgres.query(
                """
                CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER)
                RETURNS BOOLEAN LANGUAGE sql STABLE AS $$ SELECT p_sag_id <> \(hidden) $$
                """
            )
            let held = try await client.call(.get, "/api/v1/reminders/held/me", token: gateway.token(alice))
            #expect(held.status == .ok)
            #expect(held.object["count"] as? Int == 2)
            let items = held.object["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["reminder_id"] as? Int } == [reminder, reminder])
            #expect(items.first?["reason"] as? String == "5 notifications in the last hour; the limit is 5")
            #expect((items.first?["held_at"] as? String ?? "") > (items.last?["held_at"] as? String ?? ""), "newest first")
            #expect(try await client.call(.get, "/api/v1/reminders/held/me", token: gateway.token(bob)).object["count"] as? Int == 1)
            #expect(try await client.call(.get, "/api/v1/reminders/held/me").status == .unauthorized)
        }
    }
}
