import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderDomain
import ReminderGateway
import Testing
import Timestamps

/// The calendar feed on a real database, read by independent iCalendar software: the Python
/// `icalendar` parser and `recurring-ical-events` expander (Tests/calendar/ics_check.py) must
/// find for every rule type the instants our own `Recurrence` computes, over 24 months that
/// cross DST changes, in several zones.
@Suite("Gateway calendar feed", .serialized)
struct GatewayCalendarTests {
    static var python: String { ProcessInfo.processInfo.environment["PYTHON"] ?? "python3" }
    static var checker: String { TestEnvironment.packageRoot.appendingPathComponent("Tests/calendar/ics_check.py").path }

    /// 24 months from a first occurrence.
    static let window: TimeInterval = 730 * 86_400

    struct Scheduled {
        let title: String
        let localTime: String
        let zone: String
        let recurrence: RecurrenceType
    }

    static let scheduled: [Scheduled] = [
        .init(title: "Daily stand-up", localTime: "2027-01-10T09:00:00", zone: "Europe/Copenhagen", recurrence: .daily),
        .init(title: "Daily in the night", localTime: "2027-01-10T02:30:00", zone: "Europe/Copenhagen", recurrence: .daily),
        .init(title: "Weekly review", localTime: "2027-01-11T14:15:00", zone: "Europe/Copenhagen", recurrence: .weekly),
        .init(title: "Month end", localTime: "2027-01-31T10:00:00", zone: "Europe/Copenhagen", recurrence: .monthly),
        .init(title: "The 29th", localTime: "2027-01-29T08:00:00", zone: "Europe/Copenhagen", recurrence: .monthly),
        .init(title: "Sydney's 30th", localTime: "2027-01-30T18:45:00", zone: "Australia/Sydney", recurrence: .monthly),
        .init(title: "New York at 02:30", localTime: "2027-03-07T02:30:00", zone: "America/New_York", recurrence: .weekly),
        .init(title: "New York at 01:30", localTime: "2027-01-10T01:30:00", zone: "America/New_York", recurrence: .daily),
        .init(title: "Mid-month in UTC", localTime: "2027-01-15T12:00:00", zone: "UTC", recurrence: .monthly),
        .init(title: "Review; contract, v2 \\ now: ok", localTime: "2027-02-01T10:00:00", zone: "Europe/Copenhagen", recurrence: .once),
    ]

    func timeBased(_ item: Scheduled, recipients: [Int]) -> [String: Any] {
        [
            "title": item.title, "message": "Look at: the case; all of it, now", "trigger_type": "time_based",
            "scheduled_at": item.localTime, "timezone": item.zone, "recurrence_type": item.recurrence.rawValue,
            "recipient_user_ids": recipients,
        ]
    }

    @Test("icalendar + recurring-ical-events read the served feed as our Recurrence does, for 24 months, in four zones", .timeLimit(.minutes(3)))
    func independentParser() async throws {
        try await GatewayHarness.with(.live) { gateway, client in
            let port = try #require(client.port)
            let alice = try await gateway.user(), bob = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await gateway.postgres.query(
                "INSERT INTO sag_sager (titel, status, deadline) VALUES ('Server migration', 'ny', '2027-03-01T12:00:00Z') RETURNING id"
            )[0].decode("id", as: Int.self)
            let hidden = try await Fixtures.caseRow(gateway.postgres)

            var expectedEvents: [[String: Any]] = []
            var absent: [Int] = []
            var windowStart = Date.distantFuture, windowEnd = Date.distantPast
            var ids: [Int] = []
            for item in Self.scheduled {
                let id = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: timeBased(item, recipients: [alice]))
                ids.append(id)
            }
            // A change a calendar shows raises SEQUENCE.
            let weekly = ids[2]
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(weekly)", token: token, json: ["title": "Weekly review (moved room)"]).status == .ok)

            // A deadline reminder, whose case's deadline then moves.
            let deadline = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: [
                "title": "Deadline near", "trigger_type": "deadline_approaching", "trigger_config": ["hours_before": 36.5],
            ])
            try await gateway.postgres.query("UPDATE sag_sager SET deadline = '2027-03-02T12:00:00Z' WHERE id = $1", [sag])

            // Left out: dismissed, snoozed, another user's, status-change, deleted, stopped, and on a case the host refuses.
            let base = Self.scheduled[0]
            let dismissed = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: timeBased(base, recipients: [alice]))
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(dismissed)/dismiss", token: token).status == .ok)
            let snoozed = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: timeBased(base, recipients: [alice]))
            #expect(try await client.call(.post, "/api/v1/sag/reminders/\(snoozed)/snooze", token: token, json: ["minutes": 60]).status == .ok)
            let bobs = try await createReminder(client, token: token, sag: sag, recipients: [bob], extra: timeBased(base, recipients: [bob]))
            let statusChange = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            let deleted = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: timeBased(base, recipients: [alice]))
            #expect(try await client.call(.delete, "/api/v1/sag/reminders/\(deleted)", token: token).status == .noContent)
            let stopped = try await createReminder(client, token: token, sag: sag, recipients: [alice], extra: timeBased(base, recipients: [alice]))
            #expect(try await client.call(.patch, "/api/v1/sag/reminders/\(stopped)", token: token, json: ["is_active": false]).status == .ok)
            let refused = try await createReminder(client, token: token, sag: hidden, recipients: [alice], extra: timeBased(base, recipients: [alice]))
            try await gateway.postgres.query(
                """
                CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER) RETURNS BOOLEAN
                LANGUAGE sql STABLE AS $$ SELECT p_sag_id <> \(hidden) $$
                """
            )
            absent = [dismissed, snoozed, bobs, statusChange, deleted, stopped, refused]

            // What our own rules say, from the stored rows.
            for (index, item) in Self.scheduled.enumerated() {
                let row = try #require(try await gateway.postgres.query(
                    "SELECT scheduled_at, calendar_sequence FROM sag_reminders WHERE id = $1", [ids[index]]
                ).first)
                let anchor: Date = try row.decode("scheduled_at")
                let recurrence = Recurrence(type: item.recurrence, anchor: anchor, clock: WallClock(identifier: item.zone)!)
                let end = anchor.addingTimeInterval(Self.window)
                var occurrences: [String] = []
                var n = 0
                while let next = recurrence.occurrence(n), next < end {
                    occurrences.append(Timestamp.format(next))
                    n += 1
                }
                windowStart = min(windowStart, anchor)
                windowEnd = max(windowEnd, end)
                expectedEvents.append([
                    "uid": "reminder-\(ids[index])@case-reminders", "sequence": try row.decode("calendar_sequence", as: Int.self),
                    "summary": index == 2 ? "Weekly review (moved room)" : item.title, "tzid": item.zone,
                    "description": "Look at: the case; all of it, now\n\nCase \(sag): Server migration",
                    "alarm_offset_seconds": 0, "occurrences": occurrences,
                    "window_start": Timestamp.format(anchor.addingTimeInterval(-1)), "window_end": Timestamp.format(end),
                ])
            }
            #expect(expectedEvents[2]["sequence"] as? Int == 1)
            #expect(expectedEvents[0]["sequence"] as? Int == 0)
            let movedDeadline = Timestamp.parse("2027-03-02T12:00:00Z")!
            expectedEvents.append([
                "uid": "reminder-\(deadline)@case-reminders", "sequence": 1, "summary": "Deadline near",
                "alarm_offset_seconds": -131_400, "occurrences": [Timestamp.format(movedDeadline)],
                "window_start": Timestamp.format(movedDeadline.addingTimeInterval(-86_400)),
                "window_end": Timestamp.format(movedDeadline.addingTimeInterval(86_400)),
            ])
            let expectations: [String: Any] = [
                "window_start": Timestamp.format(windowStart), "window_end": Timestamp.format(windowEnd),
                "zones": ["America/New_York", "Australia/Sydney", "Europe/Copenhagen", "UTC"],
                "events": expectedEvents, "absent": absent.map { "reminder-\($0)@case-reminders" },
            ]
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-expected-\(TestEnvironment.uniqueSuffix()).json")
            try JSONSerialization.data(withJSONObject: expectations).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }

            // The feed as a calendar application reads it: by the feed token in the URL.
            let created = try await client.call(.post, "/api/v1/users/me/calendar-feed", token: token)
            #expect(created.status == .created, "\(created.text)")
            let path = try #require(created.object["feed_path"] as? String)
            let checker = try ChildProcess(
                executable: Self.python, arguments: [Self.checker, "http://127.0.0.1:\(port)\(path)", file.path], environment: [:]
            )
            let status = await checker.waitForExit(timeout: .seconds(150))
            let output = checker.outputText
            print(output)
            #expect(status == 0, "the iCalendar check failed:\n\(output)")
            #expect(output.contains("problems=0"))
            #expect(output.contains("events=\(Self.scheduled.count + 1)"))

            // The same feed with the bearer token.
            let viaBearer = try await client.call(.get, "/api/v1/users/me/calendar.ics", token: token)
            #expect(viaBearer.status == .ok)
            #expect(viaBearer.text.components(separatedBy: "BEGIN:VEVENT").count == Self.scheduled.count + 2)
        }
    }

    @Test("the feed token is stored as a hash only, rotation retires the old one, deletion revokes it")
    func tokenStorageAndPlan() async throws {
        try await GatewayHarness.with(.router) { gateway, client in
            let alice = try await gateway.user()
            let first = try #require(try await client.call(.post, "/api/v1/users/me/calendar-feed", token: gateway.token(alice)).object["feed_token"] as? String)
            let stored: String = try await gateway.postgres.query("SELECT token_sha256 FROM user_calendar_feeds WHERE user_id = $1", [alice])[0]
                .decode("token_sha256")
            #expect(stored.count == 64 && !first.contains(stored) && !stored.contains(first))
            let second = try #require(try await client.call(.post, "/api/v1/users/me/calendar-feed", token: gateway.token(alice)).object["feed_token"] as? String)
            #expect(try await client.call(.get, "/api/v1/users/me/calendar.ics?feed_token=\(first)").status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me/calendar.ics?feed_token=\(second)").status == .ok)
            #expect(try await count(gateway.postgres, "user_calendar_feeds", where: "user_id = \(alice)") == 1)
            #expect(try await client.call(.delete, "/api/v1/users/me/calendar-feed", token: gateway.token(alice)).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me/calendar.ics?feed_token=\(second)").status == .unauthorized)
        }
    }
}
