import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderGateway
import Testing

/// Who may touch a reminder: the host's case rule first, then creator,
/// recipients and administrators; everyone else reads without private fields.
@Suite("Gateway authorization and lifecycle", .timeLimit(.minutes(3)))
struct GatewayAuthorizationTests {
    @Test("B on A's case: reads A's reminder and log redacted, cannot change or delete it; an administrator can")
    func othersReadRedactedAndCannotChange() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let bob = try await gateway.user()
            let admin = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let aliceToken = gateway.token(alice)
            let bobToken = gateway.token(bob)
            // Alice's private address: her override, and an outside recipient.
            #expect(try await client.call(.patch, "/api/v1/users/me/notification-preferences", token: aliceToken,
                                          json: ["email_override": "alice.private@example.test"]).status == .ok)
            let id = try await createReminder(client, token: aliceToken, sag: sag, recipients: [alice],
                                              extra: ["recipient_emails": ["partner@example.test"]])
            // A log row quoting her address, as a worker writes it.
            try await gateway.postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, recipient_email, channel, status, reason, error_message)
                VALUES ($1, $2, $3, 'alice.private@example.test', 'email', 'failed',
                        'sent to alice.private@example.test', '550 alice.private@example.test unknown')
                """,
                [id, sag, alice]
            )

            let asBob = try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: bobToken)
            #expect(asBob.status == .ok)
            #expect((asBob.object["recipient_emails"] as? [Any])?.isEmpty == true)
            #expect(asBob.object["redacted_fields"] as? [String] == ["recipient_emails"])
            let listed = try await client.call(.get, "/api/v1/sag/\(sag)/reminders", token: bobToken)
            #expect(!listed.text.contains("partner@example.test"))
            let logs = try await client.call(.get, "/api/v1/sag/reminders/\(id)/logs", token: bobToken)
            #expect(logs.status == .ok)
            #expect(logs.object["redacted"] as? Bool == true)
            #expect(!logs.text.contains("alice.private"), "\(logs.text)")

            let patch = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: bobToken, json: ["recipient_user_ids": [bob]])
            #expect(patch.status == .forbidden)
            #expect(patch.isProblem)
            #expect(try await client.call(.delete, "/api/v1/sag/reminders/\(id)", token: bobToken).status == .forbidden)
            let stored = try await gateway.postgres.query("SELECT recipient_user_ids, deleted_at FROM sag_reminders WHERE id = $1", [id])
            #expect(try stored[0].decode("recipient_user_ids", as: [Int].self) == [alice])
            #expect(try stored[0].decode("deleted_at", as: Date?.self) == nil)

            // Alice, and an administrator, see and change everything.
            let asAlice = try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: aliceToken)
            #expect(asAlice.object["recipient_emails"] as? [String] == ["partner@example.test"])
            #expect((asAlice.object["redacted_fields"] as? [Any])?.isEmpty == true)
            let aliceLogs = try await client.call(.get, "/api/v1/sag/reminders/\(id)/logs", token: aliceToken)
            #expect(aliceLogs.text.contains("alice.private@example.test"))
            let adminToken = gateway.token(admin, roles: ["admin"])
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: adminToken, json: ["title": "Checked"]).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/sag/reminders/\(id)", token: adminToken).status == .noContent)
        }
    }

    @Test("a case the host's rule closes to the caller is a 404 on every route that names it or its reminders")
    func hostRuleClosesTheCase() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            try await gateway.inboxEntry(reminder: id, sag: sag, user: bob)
            // The host's rule: Bob may not see this case.
            try await gateway.postgres.query(
                """
                CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER) RETURNS BOOLEAN
                LANGUAGE sql STABLE AS $$ SELECT NOT (p_user_id = \(bob) AND p_sag_id = \(sag)) $$
                """
            )
            let bobToken = gateway.token(bob)
            let calls: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/api/v1/sag/\(sag)/reminders", nil),
                (.post, "/api/v1/sag/\(sag)/reminders", ["title": "x", "trigger_type": "status_change", "trigger_config": ["target_status": "a"]]),
                (.get, "/api/v1/sag/reminders/\(id)", nil),
                (.patch, "/api/v1/sag/reminders/\(id)", ["title": "mine now"]),
                (.delete, "/api/v1/sag/reminders/\(id)", nil),
                (.get, "/api/v1/sag/reminders/\(id)/logs", nil),
                (.post, "/api/v1/sag/reminders/\(id)/snooze", ["minutes": 15]),
                (.post, "/api/v1/sag/reminders/\(id)/dismiss", nil),
                (.post, "/api/v1/sag/reminders/\(id)/acknowledge", nil),
                (.get, "/api/v1/sag/\(sag)", nil),
            ]
            for (method, path, body) in calls {
                let response = try await client.call(method, path, token: bobToken, json: body)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status) \(response.text)")
            }
            // Alice is unaffected.
            #expect(try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: gateway.token(alice)).status == .ok)
        }
    }

    @Test("outside addresses only in allowed domains, for recipients and the e-mail override")
    func allowedDomains() async throws {
        try await GatewayHarness.with(configure: { $0.allowedEmailDomains = .only(["bmcnetworks.dk"]) }) { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let body: [String: Any] = [
                "title": "x", "trigger_type": "status_change", "trigger_config": ["target_status": "a"],
                "recipient_emails": ["kollega@bmcnetworks.dk", "someone@outside.test"],
            ]
            let refused = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.field == "recipient_emails[1]")
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice],
                                              extra: ["recipient_emails": ["kollega@BMCNETWORKS.dk"]])
            let patched = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token,
                                                json: ["recipient_emails": ["kollega@bmcnetworks.dk", "x@outside.test"]])
            #expect(patched.field == "recipient_emails[1]")
            let override = try await client.call(.patch, "/api/v1/users/me/notification-preferences", token: token,
                                                 json: ["email_override": "me@gmail.example"])
            #expect(override.status == .unprocessableContent)
            #expect(override.field == "email_override")
            #expect(try await client.call(.patch, "/api/v1/users/me/notification-preferences", token: token,
                                          json: ["email_override": "me@bmcnetworks.dk"]).status == .ok)
        }
    }

    @Test("a creator over the hourly quota gets 429 with Retry-After; others are unaffected")
    func creationQuota() async throws {
        try await GatewayHarness.with(configure: { $0.maximumRemindersCreatedPerHour = 3 }) { gateway, client in
            let alice = try await gateway.user()
            let bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            for _ in 0..<3 { _ = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice]) }
            let body: [String: Any] = ["title": "x", "trigger_type": "status_change", "trigger_config": ["target_status": "a"]]
            let fourth = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: gateway.token(alice), json: body)
            #expect(fourth.status == .tooManyRequests)
            #expect(fourth.isProblem)
            let retryAfter = Int(fourth.headers[.retryAfter] ?? "") ?? 0
            #expect((3500...3600).contains(retryAfter), "Retry-After \(retryAfter)")
            #expect(try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: gateway.token(bob), json: body).status == .created)
            let count = try await gateway.postgres.query("SELECT count(*) AS n FROM sag_reminders WHERE created_by_user_id = $1", [alice])
            #expect(try count[0].decode("n", as: Int.self) == 3)
        }
    }

    @Test("a deactivated user is refused as a new recipient, but an existing one does not block other changes")
    func deactivatedRecipients() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let colleague = try await gateway.user()
            let gone = try await gateway.user(active: false)
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let body: [String: Any] = ["title": "x", "trigger_type": "status_change", "trigger_config": ["target_status": "a"],
                                       "recipient_user_ids": [alice, gone]]
            let refused = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.field == "recipient_user_ids[1]")
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice, colleague])
            try await gateway.postgres.query("UPDATE users SET is_active = FALSE WHERE user_id = $1", [colleague])
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["title": "Still mine"]).status == .ok)
            let adding = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token,
                                               json: ["recipient_user_ids": [alice, colleague, gone]])
            #expect(adding.field == "recipient_user_ids[2]")
        }
    }

    @Test("deleted or deactivated: entries leave pending/me, interactions on a deleted reminder are 404, reactivation restores")
    func stoppedReminders() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let kept = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            let paused = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            let deleted = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            for id in [kept, paused, deleted] { try await gateway.inboxEntry(reminder: id, sag: sag, user: alice) }
            func pending() async throws -> Set<Int> {
                let response = try await client.call(.get, "/api/v1/reminders/pending/me", token: token)
                return Set(response.array.compactMap { $0["reminder_id"] as? Int })
            }
            #expect(try await pending() == [kept, paused, deleted])
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(paused)", token: token, json: ["is_active": false]).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/sag/reminders/\(deleted)", token: token).status == .noContent)
            #expect(try await pending() == [kept])
            for action in ["snooze", "dismiss", "acknowledge"] {
                let response = try await client.call(.post, "/api/v1/sag/reminders/\(deleted)/\(action)", token: token,
                                                     json: action == "snooze" ? ["minutes": 15] : nil)
                #expect(response.status == .notFound, "\(action): \(response.text)")
            }
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(paused)", token: token, json: ["is_active": true]).status == .ok)
            #expect(try await pending() == [kept, paused])
        }
    }

    @Test("repeated acknowledge and snooze write one row each; the log refuses UPDATE, DELETE and TRUNCATE")
    func appendOnlyLog() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            try await gateway.inboxEntry(reminder: id, sag: sag, user: alice)
            var answers: [String] = []
            for _ in 0..<3 {
                let snoozed = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: token, json: ["minutes": 30])
                #expect(snoozed.status == .ok)
                answers.append(snoozed.object["snoozed_until"] as? String ?? "")
            }
            #expect(Set(answers).count == 1, "a repeated snooze answers with the first: \(answers)")
            for _ in 0..<3 {
                #expect(try await client.call(.post, "/api/v1/sag/reminders/\(id)/acknowledge", token: token).status == .ok)
            }
            let rows = try await gateway.postgres.query(
                "SELECT status, count(*) AS n FROM sag_reminder_logs WHERE reminder_id = $1 GROUP BY status ORDER BY status", [id]
            )
            let counts = try Dictionary(uniqueKeysWithValues: rows.map { (try $0.decode("status", as: String.self), try $0.decode("n", as: Int.self)) })
            #expect(counts == ["acknowledged": 1, "snoozed": 1])
            let snoozes = try await gateway.postgres.query("SELECT count(*) AS n FROM sag_reminder_snoozes WHERE reminder_id = $1", [id])
            #expect(try snoozes[0].decode("n", as: Int.self) == 1)
            // A new notification can be acknowledged again.
            try await gateway.inboxEntry(reminder: id, sag: sag, user: alice)
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(id)/acknowledge", token: token)
            let acknowledged = try await gateway.postgres.query(
                "SELECT count(*) AS n FROM sag_reminder_logs WHERE reminder_id = $1 AND status = 'acknowledged'", [id]
            )
            #expect(try acknowledged[0].decode("n", as: Int.self) == 2)

            for statement in ["UPDATE sag_reminder_logs SET reason = 'changed'", "DELETE FROM sag_reminder_logs", "TRUNCATE sag_reminder_logs"] {
                do {
                    try await gateway.postgres.query(statement)
                    Issue.record("\(statement) was allowed")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "42501", "\(statement): \(error)")
                }
            }
            let left = try await gateway.postgres.query("SELECT count(*) AS n FROM sag_reminder_logs WHERE reminder_id = $1", [id])
            #expect(try left[0].decode("n", as: Int.self) == 3)
        }
    }

    @Test("every response, errors included, carries X-Content-Type-Options: nosniff")
    func noSniff() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let nosniff = HTTPField.Name("X-Content-Type-Options")!
            for (path, token) in [("/api/v1/reminders/pending/me", gateway.token(alice)), ("/api/v1/reminders/pending/me", nil),
                                  ("/healthz", nil), ("/no/such/route", nil), ("/static/notifications.js", nil)] {
                let response = try await client.call(.get, path, token: token)
                #expect(response.headers[nosniff] == "nosniff", "\(path) \(response.status)")
            }
        }
    }
}
