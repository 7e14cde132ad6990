import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderGateway
import Testing

@Suite("Gateway API", .timeLimit(.minutes(2)))
struct GatewayAPITests {
    @Test("preferences: defaults, PATCH upserts, validation names the field, other users unaffected")
    func preferences() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let path = "/api/v1/users/me/notification-preferences"
            let defaults = try await client.call(.get, path, token: gateway.token(alice))
            #expect(defaults.status == .ok)
            #expect(defaults.object["notify_mattermost"] as? Bool == true)
            #expect(defaults.object["notify_email"] as? Bool == false)
            #expect(defaults.object["timezone"] as? String == "Europe/Copenhagen")

            let patched = try await client.call(.patch, path, token: gateway.token(alice), json: [
                "notify_mattermost": true, "notify_email": false, "notify_frontend": true,
                "quiet_hours_enabled": true, "quiet_hours_start": "18:00", "quiet_hours_end": "08:00",
                "email_override": "alice@example.com", "timezone": "America/New_York", "mattermost_username": "alice",
            ])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.object["quiet_hours_start"] as? String == "18:00")
            let again = try await client.call(.get, path, token: gateway.token(alice))
            #expect(again.object["quiet_hours_end"] as? String == "08:00")
            #expect(again.object["email_override"] as? String == "alice@example.com")
            #expect(again.object["timezone"] as? String == "America/New_York")
            // A second PATCH changes only what it names.
            let partial = try await client.call(.patch, path, token: gateway.token(alice), json: ["notify_email": true])
            #expect(partial.object["notify_email"] as? Bool == true)
            #expect(partial.object["quiet_hours_start"] as? String == "18:00")
            #expect(try await count(gateway.postgres, "user_notification_preferences") == 1)

            let bobs = try await client.call(.get, path, token: gateway.token(bob))
            #expect(bobs.object["quiet_hours_enabled"] as? Bool == false)

            for (body, field) in [
                (["quiet_hours_start": "25:00"], "quiet_hours_start"),
                (["quiet_hours_end": "8:00"], "quiet_hours_end"),
                (["timezone": "Mars/Olympus"], "timezone"),
                (["email_override": "not-an-address"], "email_override"),
                (["notify_email": "yes"], "notify_email"),
                (["surprise": true], "surprise"),
            ] as [([String: Any], String)] {
                let response = try await client.call(.patch, path, token: gateway.token(bob), json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.isProblem)
                #expect(response.field == field)
            }
            let incomplete = try await client.call(.patch, path, token: gateway.token(bob), json: ["quiet_hours_enabled": true])
            #expect(incomplete.status == .unprocessableContent)
            #expect(incomplete.field == "quiet_hours_start")
        }
    }

    @Test("create and list reminders; enums, trigger rules, limits and unknown case are refused with the field")
    func createAndList() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let created = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: [
                "title": "Case entered In Progress", "message": "Case has moved to 'i_gang' status", "priority": "high",
                "trigger_type": "status_change", "trigger_config": ["target_status": "i_gang"], "recipient_user_ids": [alice, bob],
                "notify_mattermost": true, "notify_email": true, "recurrence_type": "once",
            ])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.location] == "/api/v1/sag/reminders/\(created.object["id"] as? Int ?? 0)")
            #expect(created.object["sag_id"] as? Int == sag)
            #expect(created.object["recipient_user_ids"] as? [Int] == [alice, bob])
            #expect((created.object["trigger_config"] as? [String: Any])?["target_status"] as? String == "i_gang")
            #expect(created.object["notify_frontend"] is NSNull)
            #expect(created.object["created_by_user_id"] as? Int == alice)

            // A time-based one without an offset is read in its time zone (Copenhagen: UTC+1 in February).
            let timed = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: [
                "title": "Follow up needed", "trigger_type": "time_based", "trigger_config": [String: Any](),
                "scheduled_at": "2026-02-10T14:30:00", "recipient_user_ids": [alice], "recurrence_type": "daily",
            ])
            #expect(timed.status == .created, "\(timed.text)")
            #expect((timed.object["scheduled_at"] as? String)?.hasPrefix("2026-02-10T13:30:00") == true)
            #expect((timed.object["next_check_at"] as? String)?.hasPrefix("2026-02-10T13:30:00") == true)
            // Without recipients the creator is the recipient.
            let own = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: [
                "title": "Mine", "trigger_type": "deadline_approaching", "trigger_config": ["hours_before": 2.5],
            ])
            #expect(own.object["recipient_user_ids"] as? [Int] == [alice])

            let list = try await client.call(.get, "/api/v1/sag/\(sag)/reminders", token: token)
            #expect(list.status == .ok)
            #expect(list.array.count == 3)

            let base: [String: Any] = ["title": "T", "trigger_type": "status_change", "trigger_config": ["target_status": "x"]]
            let cases: [([String: Any], String)] = [
                (["priority": "critical"], "priority"),
                (["trigger_type": "sometimes"], "trigger_type"),
                (["recurrence_type": "hourly"], "recurrence_type"),
                (["trigger_config": [String: Any]()], "trigger_config.target_status"),
                (["trigger_type": "time_based", "trigger_config": [String: Any]()], "scheduled_at"),
                (["trigger_type": "time_based", "scheduled_at": "tomorrow"], "scheduled_at"),
                (["trigger_type": "time_based", "scheduled_at": "2026-02-30T10:00:00Z"], "scheduled_at"),
                (["trigger_type": "deadline_approaching", "trigger_config": ["hours_before": -1]], "trigger_config.hours_before"),
                (["title": String(repeating: "x", count: 201)], "title"),
                (["title": "  "], "title"),
                (["message": String(repeating: "x", count: 5001)], "message"),
                (["recipient_user_ids": Array(1...101)], "recipient_user_ids"),
                (["recipient_user_ids": [alice, 999_999]], "recipient_user_ids[1]"),
                (["recipient_user_ids": [0]], "recipient_user_ids[0]"),
                (["recipient_emails": ["ok@example.com", "broken@"]], "recipient_emails[1]"),
                (["timezone": "Nowhere/City"], "timezone"),
                (["title": "nul\u{0}byte"], "title"),
                (["is_active": false], "is_active"),
            ]
            for (change, field) in cases {
                var body = base
                body.merge(change) { _, new in new }
                let response = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(change): \(response.text)")
                #expect(response.isProblem)
                #expect(response.field == field, "\(change)")
            }
            let missingTitle = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: ["trigger_type": "status_change"])
            #expect(missingTitle.field == "title")
            let malformed = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(malformed.isProblem)
            let notObject = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: "[1]")
            #expect(notObject.status == .badRequest)

            let unknownCase = try await client.call(.post, "/api/v1/sag/999999/reminders", token: token, json: base)
            #expect(unknownCase.status == .notFound)
            #expect(unknownCase.field == "sag_id")
            #expect(try await client.call(.get, "/api/v1/sag/999999/reminders", token: token).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/sag/abc/reminders", token: token).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/sag/99999999999/reminders", token: token).status == .notFound)
            #expect(try await count(gateway.postgres, "sag_reminders") == 3)
        }
    }

    @Test("update re-arms a fired once reminder; soft delete is idempotent; unknown reminder is 404")
    func updateAndDelete() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: [
                "trigger_type": "time_based", "scheduled_at": "2020-01-01T10:00:00Z", "trigger_config": [String: Any](),
            ])
            // As the scheduler leaves a fired once reminder.
            try await gateway.postgres.query("UPDATE sag_reminders SET is_active = FALSE, next_check_at = NULL WHERE id = $1", [id])

            let renamed = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["title": "Renamed"])
            #expect(renamed.status == .ok)
            #expect(renamed.object["title"] as? String == "Renamed")
            #expect(renamed.object["is_active"] as? Bool == false)

            let moved = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["scheduled_at": "2099-06-01T08:00:00+02:00"])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.object["is_active"] as? Bool == true)
            #expect((moved.object["next_check_at"] as? String)?.hasPrefix("2099-06-01T06:00:00") == true)

            let one = try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: token)
            #expect(one.object["title"] as? String == "Renamed")

            for (body, field) in [(["title": NSNull()], "title"), (["scheduled_at": NSNull()], "scheduled_at"),
                                  (["priority": "loud"], "priority"), (["id": 5], "id")] as [([String: Any], String)] {
                let response = try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.field == field)
            }
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/424242", token: token, json: ["title": "x"]).status == .notFound)

            let deleted = try await client.call(.delete, "/api/v1/sag/reminders/\(id)", token: token)
            #expect(deleted.status == .noContent)
            let row = try await gateway.postgres.query("SELECT is_active, deleted_at IS NOT NULL AS deleted FROM sag_reminders WHERE id = $1", [id])[0]
            #expect(row["is_active"] == "f")
            #expect(row["deleted"] == "t")
            #expect(try await client.call(.delete, "/api/v1/sag/reminders/\(id)", token: token).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/sag/reminders/\(id)", token: token).status == .notFound)
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["title": "x"]).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/sag/\(sag)/reminders", token: token).array.isEmpty)
            let unknown = try await client.call(.delete, "/api/v1/sag/reminders/424242", token: token)
            #expect(unknown.status == .notFound)
            #expect(unknown.field == "reminder_id")
        }
    }

    @Test("snooze: a snooze row for the caller, a snoozed log row, inbox entry hidden from pending; limits")
    func snooze() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            try await gateway.inboxEntry(reminder: id, sag: sag, user: alice)
            try await gateway.inboxEntry(reminder: id, sag: sag, user: bob)
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(alice)).array.count == 1)

            for minutes in [0, 43_201, -5] {
                let response = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: gateway.token(alice), json: ["minutes": minutes])
                #expect(response.status == .unprocessableContent)
                #expect(response.field == "minutes")
            }
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: gateway.token(alice), json: [String: Any]()).field == "minutes")
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: gateway.token(alice), json: ["minutes": 1.5]).field == "minutes")

            let snoozed = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: gateway.token(alice), json: ["minutes": 30])
            #expect(snoozed.status == .ok, "\(snoozed.text)")
            #expect(snoozed.object["status"] as? String == "snoozed")
            let rows = try await gateway.postgres.query(
                "SELECT user_id, round(extract(epoch FROM snoozed_until - created_at) / 60) AS minutes FROM sag_reminder_snoozes WHERE reminder_id = $1", [id]
            )
            #expect(rows.count == 1)
            #expect(rows.first?["user_id"] == String(alice))
            #expect(rows.first?["minutes"] == "30")
            let log = try await gateway.postgres.query(
                "SELECT user_id, interaction_type, snoozed_until IS NOT NULL AS has_until FROM sag_reminder_logs WHERE reminder_id = $1 AND status = 'snoozed'", [id]
            )
            #expect(log.count == 1)
            #expect(log.first?["interaction_type"] == "snooze")
            #expect(log.first?["user_id"] == String(alice))
            #expect(log.first?["has_until"] == "t")
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(alice)).array.isEmpty)
            // Bob's notification is untouched.
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(bob)).array.count == 1)
            // Snoozing again replaces the open snooze.
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: gateway.token(alice), json: ["minutes": 60])
            #expect(try await count(gateway.postgres, "sag_reminder_snoozes", where: "cancelled_at IS NULL") == 1)
        }
    }

    @Test("dismiss and acknowledge act for the caller only, are logged, and clear pending")
    func dismissAndAcknowledge() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            try await gateway.inboxEntry(reminder: id, sag: sag, user: alice)
            try await gateway.inboxEntry(reminder: id, sag: sag, user: bob)

            let dismissed = try await client.call(.post, "/api/v1/sag/reminders/\(id)/dismiss", token: gateway.token(alice))
            #expect(dismissed.status == .ok, "\(dismissed.text)")
            #expect(dismissed.object["status"] as? String == "dismissed")
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(id)/dismiss", token: gateway.token(alice), json: [String: Any]()).status == .ok)
            #expect(try await count(gateway.postgres, "sag_reminder_logs", where: "status = 'dismissed' AND interaction_type = 'dismiss' AND user_id = \(alice)") == 1)
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(alice)).array.isEmpty)
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(id)/dismiss", token: gateway.token(alice), json: ["why": 1]).field == "why")

            let pendingBob = try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(bob))
            #expect(pendingBob.array.count == 1)
            let acknowledged = try await client.call(.post, "/api/v1/sag/reminders/\(id)/acknowledge", token: gateway.token(bob))
            #expect(acknowledged.object["status"] as? String == "acknowledged")
            #expect(try await count(gateway.postgres, "sag_reminder_logs", where: "status = 'acknowledged' AND interaction_type = 'acknowledge' AND user_id = \(bob)") == 1)
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(bob)).array.isEmpty)
            #expect(try await count(gateway.postgres, "sag_reminder_logs", where: "status = 'dismissed' AND user_id = \(bob)") == 0)
        }
    }

    @Test("pending/me: the caller's newest open entry per reminder with its fields")
    func pending() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let first = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice])
            let second = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice])
            try await gateway.inboxEntry(reminder: first, sag: sag, user: alice, title: "older firing")
            let newest = try await gateway.inboxEntry(reminder: first, sag: sag, user: alice, title: "newer firing")
            let other = try await gateway.inboxEntry(reminder: second, sag: sag, user: alice, title: "second")
            let response = try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(alice))
            #expect(response.status == .ok)
            let entries = response.array
            #expect(entries.map { $0["id"] as? Int } == [other, newest])
            let entry = try #require(entries.last)
            #expect(entry["reminder_id"] as? Int == first)
            #expect(entry["sag_id"] as? Int == sag)
            #expect(entry["title"] as? String == "newer firing")
            #expect(entry["message"] as? String == "Look at the case")
            #expect(entry["priority"] as? String == "high")
            #expect(entry["created_at"] is String)
        }
    }

    @Test("user A cannot see, snooze, dismiss or acknowledge user B's notifications")
    func crossUserIsolation() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let bobsReminder = try await createReminder(client, token: gateway.token(bob), sag: sag, recipients: [bob])
            try await gateway.inboxEntry(reminder: bobsReminder, sag: sag, user: bob)

            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(alice)).array.isEmpty)
            for action in ["snooze", "dismiss", "acknowledge"] {
                let response = try await client.call(
                    .post, "/api/v1/sag/reminders/\(bobsReminder)/\(action)", token: gateway.token(alice),
                    json: action == "snooze" ? ["minutes": 15] : [String: Any]()
                )
                #expect(response.status == .notFound, "\(action)")
                #expect(response.field == "reminder_id")
            }
            #expect(try await count(gateway.postgres, "sag_reminder_snoozes") == 0)
            #expect(try await count(gateway.postgres, "sag_reminder_logs", where: "interaction_type IS NOT NULL") == 0)
            #expect(try await client.call(.get, "/api/v1/reminders/pending/me", token: gateway.token(bob)).array.count == 1)
        }
    }

    @Test("401 for a missing, malformed, forged, expired or unknown-user token; 403 for a deactivated user")
    func authentication() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let inactive = try await gateway.user(active: false)
            let path = "/api/v1/reminders/pending/me"
            let forged = JSONWebToken(secret: "another-secret").sign(userID: alice, expiresAt: Date().addingTimeInterval(600))
            let header = JSONWebToken.base64URLEncode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
            let payload = JSONWebToken.base64URLEncode(Data(#"{"sub":"\#(alice)","exp":\#(Int(Date().timeIntervalSince1970) + 600)}"#.utf8))
            let cases: [(HTTPFields, String)] = [
                ([:], "no header"),
                ([.authorization: "Basic YWxpY2U6cHc="], "basic"),
                ([.authorization: "Bearer not.a.jwt"], "garbage"),
                ([.authorization: "Bearer \(forged)"], "forged"),
                // Beyond the 30 s allowed for clock skew.
                ([.authorization: "Bearer \(gateway.token(alice, expiresIn: -40))"], "expired"),
                ([.authorization: "Bearer \(header).\(payload)."], "alg none"),
                ([.authorization: "Bearer \(gateway.token(987_654))"], "unknown user"),
            ]
            for (headers, name) in cases {
                let response = try await client.call(.get, path, headers: headers)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.isProblem, "\(name)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            // The query token is for the event stream only.
            #expect(try await client.call(.get, path + "?token=\(gateway.token(alice))").status == .unauthorized)
            let forbidden = try await client.call(.get, path, token: gateway.token(inactive))
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.isProblem)
            #expect(try await client.call(.get, path, token: gateway.token(alice)).status == .ok)
            #expect(try await client.call(.patch, "/api/v1/users/me/notification-preferences", json: ["notify_email": true]).status == .unauthorized)
        }
    }

    @Test("execution log: newest first, paged with before")
    func executionLog() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let id = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            // Three interactions, three log rows (a repeated one would add none).
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: token, json: ["minutes": 15])
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(id)/snooze", token: token, json: ["minutes": 30])
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(id)/acknowledge", token: token)
            let first = try await client.call(.get, "/api/v1/sag/reminders/\(id)/logs?limit=2", token: token)
            #expect(first.status == .ok)
            let items = try #require(first.object["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let next = try #require(first.object["next_before"] as? Int)
            let second = try await client.call(.get, "/api/v1/sag/reminders/\(id)/logs?limit=2&before=\(next)", token: token)
            #expect((second.object["items"] as? [[String: Any]])?.count == 1)
            #expect(second.object["next_before"] is NSNull)
            #expect(try await client.call(.get, "/api/v1/sag/reminders/\(id)/logs?limit=0", token: token).field == "limit")
            #expect(try await client.call(.get, "/api/v1/sag/reminders/77777/logs", token: token).status == .notFound)
        }
    }

    @Test("health, readiness, unknown routes as problem+json, demo case endpoints")
    func systemRoutes() async throws {
        try await GatewayHarness.with { gateway, client in
            #expect(try await client.call(.get, "/healthz").status == .ok)
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.object["listener"] as? String == "ok")
            let missing = try await client.call(.get, "/nothing/here")
            #expect(missing.status == .notFound)
            #expect(missing.isProblem)
            let script = try await client.call(.get, "/static/notifications.js")
            #expect(script.text.contains("✅ Reminder system initialized"))
            #expect(try await client.call(.get, "/demo").text.contains("/static/notifications.js"))

            let alice = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let changed = try await client.call(.patch, "/api/v1/sag/\(sag)", token: gateway.token(alice), json: ["status": "i_gang"])
            #expect(changed.object["status"] as? String == "i_gang")
            #expect(try await client.call(.get, "/api/v1/sag/\(sag)", token: gateway.token(alice)).object["status"] as? String == "i_gang")
            #expect(try await client.call(.patch, "/api/v1/sag/\(sag)", token: gateway.token(alice), json: ["status": ""]).field == "status")
        }
    }

    @Test("every route is in openapi.json and every documented operation is a route")
    func openAPIMatchesRoutes() async throws {
        try await GatewayHarness.with { gateway, client in
            let document = try await client.call(.get, "/openapi.json")
            #expect(document.object["openapi"] as? String == "3.1.0")
            let paths = try #require(document.object["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, item) in paths {
                for method in item.keys where ["get", "post", "patch", "put", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            let registered = Set(gateway.recorder.routes.map(\.description))
            #expect(registered == documented, "only registered: \(registered.subtracting(documented)); only documented: \(documented.subtracting(registered))")
            // And the router really answers each documented operation (no "no such route").
            for route in documented where !route.contains("stream") {
                let parts = route.split(separator: " ")
                let uri = String(parts[1]).replacingOccurrences(of: "{sag_id}", with: "1").replacingOccurrences(of: "{reminder_id}", with: "1")
                let response = try await client.call(HTTPRequest.Method(String(parts[0]))!, uri)
                #expect(response.object["type"] as? String != "urn:case-reminders:problem:no-such-route", "\(route)")
            }
        }
    }
}
