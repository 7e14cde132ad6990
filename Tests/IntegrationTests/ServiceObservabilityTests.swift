import Foundation
import Postgres
import Testing

/// Health, readiness, metrics and log lines of the services run as processes.
@Suite("Observability of the services", .timeLimit(.minutes(3)))
struct ServiceObservabilityTests {
    @Test("every service answers /healthz and /readyz, and its /metrics counters move while messages flow")
    func metricsMove() async throws {
        try await TestDatabase.with { database, postgres in
            let fleet = try await ServiceFleet(databaseURL: database.url)
            try fleet.startAll()
            try await fleet.waitUntilReady()
            for role in fleet.roles {
                #expect(await fleet.get(role.name, "/healthz")?.status == 200, "\(role.name)")
            }

            let users = [try await Fixtures.user(postgres), try await Fixtures.user(postgres)]
            let sag = try await Fixtures.caseRow(postgres)
            try await ServiceObservabilityTests.allChannelsReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: users)
            // A time-based reminder already due, for the scheduler.
            try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at, notify_frontend)
                VALUES ($1, 'Due now', 'time_based', $2, now() - interval '1 second', true)
                """,
                [sag, users]
            )
            let changes = 5
            for _ in 0..<changes {
                try await postgres.query("UPDATE sag_sager SET status = 'ny' WHERE id = $1", [sag])
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            }

            // Each service's own counters, read from its own /metrics.
            let expectations: [(role: String, metric: String, labels: [String: String], atLeast: Double)] = [
                ("relay", "reminders_outbox_published_total", ["topic": "reminders.fired"], 1),
                ("scheduler", "reminders_scheduler_fired_total", [:], 1),
                ("scheduler", "reminders_scheduler_lateness_seconds_count", [:], 1),
                ("dispatcher", "reminders_messages_processed_total", ["topic": "reminders.fired"], 2),
                ("dispatcher", "reminders_dispatched_total", ["channel": "email"], 2),
                ("email", "reminders_messages_processed_total", ["topic": "reminders.deliver.email"], 2),
                ("email", "reminders_delivery_latency_seconds_count", ["channel": "email", "outcome": "dry_run"], 2),
                ("mattermost", "reminders_messages_processed_total", ["topic": "reminders.deliver.mattermost"], 2),
                // In-app entries are written by the dispatcher itself.
                ("dispatcher", "reminders_dispatched_total", ["channel": "frontend"], 2),
            ]
            for expected in expectations {
                let moved = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                    (await fleet.metric(expected.role, expected.metric, labels: expected.labels) ?? 0) >= expected.atLeast
                }
                let seen = await fleet.metric(expected.role, expected.metric, labels: expected.labels)
                #expect(moved, "\(expected.role) \(expected.metric)\(expected.labels): \(seen.map { "\($0)" } ?? "absent")")
            }
            // The consumers report their lag, the relay its backlog.
            #expect(await fleet.metric("dispatcher", "reminders_consumer_lag") != nil)
            let backlogReported = await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
                await fleet.metric("relay", "reminders_outbox_backlog") != nil
            }
            #expect(backlogReported)
            // The gateway counts its own requests, probes included.
            let before = await fleet.metric("gateway", "hb_requests", labels: ["http_route": "/healthz"]) ?? 0
            for _ in 0..<3 { _ = await fleet.get("gateway", "/healthz") }
            let after = await fleet.metric("gateway", "hb_requests", labels: ["http_route": "/healthz"]) ?? 0
            #expect(after >= before + 3, "gateway hb_requests for /healthz: \(before) → \(after)")
            await fleet.stopAll()
        }
    }

    @Test("LOG_FORMAT=json: every line is one JSON object; decisions carry event, reminder and recipient")
    func jsonLogLines() async throws {
        try await TestDatabase.with { database, postgres in
            let fleet = try await ServiceFleet(databaseURL: database.url, extraEnvironment: ["LOG_FORMAT": "json"])
            for role in ["relay", "dispatcher", "email"] { try fleet.start(role) }
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await ServiceObservabilityTests.allChannelsReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])

            let decided = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                fleet.process("email")?.outputText.contains("dry run") == true
                    && fleet.process("dispatcher")?.outputText.contains("\"dispatched\"") == true
            }
            #expect(decided, "\(fleet.process("dispatcher")?.outputText ?? "")\n\(fleet.process("email")?.outputText ?? "")")
            for role in ["relay", "dispatcher", "email"] {
                let lines = (fleet.process(role)?.outputText ?? "").split(separator: "\n")
                #expect(!lines.isEmpty)
                for line in lines {
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    #expect(object?["message"] is String && object?["level"] is String && object?["time"] is String, "\(role): \(line)")
                }
            }
            let decisions = ["dispatcher": "\"dispatched\"", "email": "dry run"]
            for (role, marker) in decisions {
                let line = (fleet.process(role)?.outputText ?? "").split(separator: "\n").first { $0.contains(marker) }
                let object = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(object?["reminder_id"] as? String == "\(reminder)", "\(role): \(line ?? "no decision line")")
                #expect(object?["recipient"] as? String == "user:\(user)", "\(role): \(line ?? "")")
                #expect((object?["event_id"] as? String)?.count == 36, "\(role): \(line ?? "")")
            }
            // The SMTP password never reaches the log.
            let secretFleet = try await ServiceFleet(databaseURL: database.url, extraEnvironment: [
                "LOG_FORMAT": "json", "EMAIL_SMTP_PASSWORD": "never-print-this-1234", "EMAIL_SMTP_HOST": "127.0.0.1",
            ])
            try secretFleet.start("email")
            let started = await eventually(timeout: .seconds(60)) { secretFleet.process("email")?.outputText.contains("delivery worker started") == true }
            #expect(started)
            #expect(secretFleet.process("email")?.outputText.contains("never-print-this-1234") == false)
            await fleet.stopAll()
            await secretFleet.stopAll()
        }
    }

    @discardableResult
    static func allChannelsReminder(_ postgres: PostgresClient, sagID: Int, targetStatus: String, recipients: [Int]) async throws -> Int {
        let rows = try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids,
                                       notify_email, notify_mattermost, notify_frontend, override_user_preferences)
            VALUES ($1, 'Every channel', 'status_change', jsonb_build_object('target_status', $2::text), $3, true, true, true, true)
            RETURNING id
            """,
            [sagID, targetStatus, recipients]
        )
        return try rows[0].decode("id")
    }
}
