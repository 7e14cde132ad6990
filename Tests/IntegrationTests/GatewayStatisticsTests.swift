import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderDomain
import ReminderGateway
import ReminderStore
import Testing
import Timestamps

/// Case statistics, the caller's history and the history page, on a real database: the numbers
/// from log and inbox rows written as the pipeline writes them, the queries' use of indexes
/// read from PostgreSQL's own statistics, and the page in headless Chromium.
@Suite("Gateway statistics and history", .serialized)
struct GatewayStatisticsTests {
    static var python: String { ProcessInfo.processInfo.environment["PYTHON"] ?? "python3" }

    /// Log rows of one firing: `fired` at `firedAt`, then `outcome` for `user` on `channel` `afterMilliseconds` later.
    static func firing(
        _ postgres: PostgresClient, reminder: Int, sag: Int, user: Int, channel: String?, outcome: String, firedAt: Date,
        afterMilliseconds: Double, reason: String = "test"
    ) async throws {
        let event = UUID()
        try await postgres.query(
            """
            INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, status, reason, created_at)
            VALUES ($1, $2, $3, 'fired', 'fired by test', $4)
            """,
            [reminder, sag, event, firedAt]
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, channel, status, reason, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [reminder, sag, event, user, channel, outcome, reason, firedAt.addingTimeInterval(afterMilliseconds / 1000)]
        )
    }

    @Test("counts per outcome and channel, latency percentiles and acknowledgement from real rows; history paged and the caller's own")
    func numbers() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let reminder = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            // Noon (UTC) three days ago, in whole seconds: the firings fall on two UTC days.
            let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 - 3 * 86_400 + 12 * 3600)
            // Ten e-mails sent 100, 200, … 1,000 ms after their firing.
            for index in 1...10 {
                try await Self.firing(gateway.postgres, reminder: reminder, sag: sag, user: alice, channel: "email", outcome: "sent",
                                      firedAt: base.addingTimeInterval(Double(index) * 60), afterMilliseconds: Double(index) * 100)
            }
            for (user, channel, outcome) in [(alice, "mattermost", "failed"), (alice, "mattermost", "failed"), (bob, nil, "rate_limited"),
                                             (bob, "email", "deferred"), (bob, "mattermost", "skipped"), (alice, "email", "dry_run"),
                                             (alice, "email", "dry_run"), (alice, "frontend", "dry_run")] as [(Int, String?, String)] {
                try await Self.firing(gateway.postgres, reminder: reminder, sag: sag, user: user, channel: channel, outcome: outcome,
                                      firedAt: base.addingTimeInterval(-86_400), afterMilliseconds: 5)
            }
            // Outside the window: counted nowhere. Whole seconds like `base`, so the microsecond columns hold the latency exactly.
            try await Self.firing(gateway.postgres, reminder: reminder, sag: sag, user: alice, channel: "email", outcome: "sent",
                                  firedAt: base.addingTimeInterval(-37 * 86_400), afterMilliseconds: 99_999)
            // Four in-app entries, two acknowledged after 10 s and 30 s.
            for (index, acknowledgedAfter) in [10.0, 30.0, nil, nil].enumerated() {
                let created = base.addingTimeInterval(Double(index) * 3600)
                try await gateway.postgres.query(
                    """
                    INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority, created_at, acknowledged_at)
                    VALUES ($1, gen_random_uuid(), $2, $3, $4, 'Reminder', 'normal', $5, $6)
                    """,
                    ["delivery-\(UUID())", reminder, sag, alice, created, acknowledgedAfter.map { created.addingTimeInterval($0) }]
                )
            }

            let stats = try await client.call(.get, "/api/v1/sag/\(sag)/reminders/stats", token: gateway.token(bob))
            #expect(stats.status == .ok, "\(stats.text)")
            #expect(stats.object["outcomes"] as? [String: Int] == ["sent": 10, "failed": 2, "rate_limited": 1, "deferred": 1, "skipped": 1, "dry_run": 3])
            let channels = try #require(stats.object["channels"] as? [String: [String: Int]])
            #expect(channels["email"] == ["sent": 10, "failed": 0, "rate_limited": 0, "deferred": 1, "skipped": 0, "dry_run": 2])
            #expect(channels["mattermost"]?["failed"] == 2 && channels["mattermost"]?["skipped"] == 1)
            #expect(channels["frontend"]?["dry_run"] == 1)
            #expect(channels["none"]?["rate_limited"] == 1)
            let latency = try #require(stats.object["latency_ms"] as? [String: Any])
            #expect(latency["count"] as? Int == 10)
            #expect(latency["p50"] as? Double == 500)
            #expect(latency["p90"] as? Double == 900)
            #expect(latency["p99"] as? Double == 1000)
            #expect(latency["max"] as? Double == 1000)
            let acknowledgement = try #require(stats.object["acknowledgement"] as? [String: Any])
            #expect(acknowledgement["notified"] as? Int == 4)
            #expect(acknowledgement["acknowledged"] as? Int == 2)
            #expect(acknowledgement["rate"] as? Double == 0.5)
            #expect(acknowledgement["median_seconds"] as? Double == 10)
            #expect((stats.object["days"] as? [[String: Any]])?.count == 2)

            // Filtered by channel and outcome.
            let mattermost = try await client.call(.get, "/api/v1/sag/\(sag)/reminders/stats?channel=mattermost&status=failed", token: gateway.token(bob))
            #expect((mattermost.object["outcomes"] as? [String: Int])?["failed"] == 2)
            #expect((mattermost.object["outcomes"] as? [String: Int])?["skipped"] == 0)
            #expect((mattermost.object["acknowledgement"] as? [String: Any])?["notified"] as? Int == 0)
            // A window that holds only the old row.
            let from = Timestamp.format(Date().addingTimeInterval(-50 * 86_400)), to = Timestamp.format(Date().addingTimeInterval(-30 * 86_400))
            let old = try await client.call(.get, "/api/v1/sag/\(sag)/reminders/stats?from=\(from)&to=\(to)", token: gateway.token(bob))
            #expect((old.object["outcomes"] as? [String: Int])?["sent"] == 1)
            #expect((old.object["latency_ms"] as? [String: Any])?["p50"] as? Double == 99_999)

            // Alice's history, three at a time: her 15 outcome rows in the window, newest first, no one else's.
            var ids: [Int] = []
            var cursor: Int?
            repeat {
                let page = try await client.call(
                    .get, "/api/v1/users/me/notifications/history?limit=3" + (cursor.map { "&before=\($0)" } ?? ""), token: gateway.token(alice)
                )
                #expect(page.status == .ok, "\(page.text)")
                let items = try #require(page.object["items"] as? [[String: Any]])
                #expect(items.allSatisfy { $0["title"] as? String == "Case entered In Progress" })
                ids += items.compactMap { $0["id"] as? Int }
                cursor = page.object["next_before"] as? Int
            } while cursor != nil && ids.count < 100
            #expect(ids.count == 15)
            #expect(Set(ids).count == 15)
            let bobs = try await client.call(.get, "/api/v1/users/me/notifications/history", token: gateway.token(bob))
            #expect((bobs.object["items"] as? [[String: Any]])?.compactMap { $0["status"] as? String }.sorted() == ["deferred", "rate_limited", "skipped"])
            #expect(((bobs.object["stats"] as? [String: Any])?["outcomes"] as? [String: Int])?["sent"] == 0)

            // A case the host's rule refuses is 404, as one that does not exist.
            try await gateway.postgres.query(
                """
                CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER) RETURNS BOOLEAN
                LANGUAGE sql STABLE AS $$ SELECT p_user_id <> \(bob) $$
                """
            )
            let refused = try await client.call(.get, "/api/v1/sag/\(sag)/reminders/stats", token: gateway.token(bob))
            #expect(refused.status == .notFound)
            #expect(refused.field == "sag_id")
            #expect(try await client.call(.get, "/api/v1/sag/\(sag)/reminders/stats", token: gateway.token(alice)).status == .ok)
        }
    }

    @Test("statistics and history read indexes, never a sequential scan of the log or the inbox", .timeLimit(.minutes(3)))
    func indexesOnly() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            // A log with history: 200,000 rows over 500 cases and 1,000 users, a quarter of them firings.
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, channel, status, created_at)
                SELECT $1, CASE WHEN n % 500 = 0 THEN $2 ELSE 100000 + n % 500 END, md5((n / 4)::text)::uuid,
                       CASE WHEN n % 1000 = 0 THEN $3 ELSE 100000 + n % 1000 END,
                       (ARRAY['email', 'mattermost', 'frontend', NULL])[1 + n % 4],
                       (ARRAY['fired', 'sent', 'failed', 'rate_limited', 'deferred', 'skipped', 'dry_run', 'dispatched'])[1 + (n / 7) % 8],
                       now() - n * interval '10 seconds'
                  FROM generate_series(1, 200000) AS n
                """,
                [reminder, sag, user]
            )
            try await postgres.query(
                """
                INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority, created_at, acknowledged_at)
                SELECT 'bulk-' || n, gen_random_uuid(), $1, CASE WHEN n % 500 = 0 THEN $2 ELSE 100000 + n % 500 END,
                       CASE WHEN n % 1000 = 0 THEN $3 ELSE 100000 + n % 1000 END, 'Reminder', 'normal', now() - n * interval '1 minute',
                       CASE WHEN n % 2 = 0 THEN now() - n * interval '1 minute' + interval '30 seconds' END
                  FROM generate_series(1, 40000) AS n
                """,
                [reminder, sag, user]
            )
            try await postgres.query("ANALYZE sag_reminder_logs")
            try await postgres.query("ANALYZE sag_reminder_inbox")
            let settled = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                let logs = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres)
                let inbox = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_inbox", postgres)
                return logs.inserted >= 200_000 && inbox.inserted >= 40_000
            }
            #expect(settled)
            let logsBefore = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres)
            let inboxBefore = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_inbox", postgres)
            let caseIndexBefore = try await DispatchQueryPlanTests.indexScans("sag_reminder_logs_case_outcomes_idx", postgres)
            let userIndexBefore = try await DispatchQueryPlanTests.indexScans("sag_reminder_logs_user_outcomes_idx", postgres)

            let store = PostgresGatewayStore(postgres: postgres)
            let filter = StatisticsFilter(from: Date().addingTimeInterval(-30 * 86_400), to: Date())
            // More than five times each, so PostgreSQL's generic plans are exercised too.
            for round in 0..<7 {
                let narrowed = round % 2 == 0 ? filter : StatisticsFilter(from: filter.from, to: filter.to, channel: "email", outcome: .sent)
                let caseStatistics = try await store.caseStatistics(sagID: sag, filter: narrowed)
                let userStatistics = try await store.userStatistics(userID: user, filter: narrowed)
                let page = try await store.history(userID: user, filter: narrowed, before: nil, limit: 50)
                _ = try await store.history(userID: user, filter: narrowed, before: page.last?.id, limit: 50)
                #expect(caseStatistics.outcomes.values.reduce(0, +) > 0)
                #expect(userStatistics.outcomes.values.reduce(0, +) > 0)
                #expect(!page.isEmpty)
            }
            let counted = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                let caseIndex = try await DispatchQueryPlanTests.indexScans("sag_reminder_logs_case_outcomes_idx", postgres)
                let userIndex = try await DispatchQueryPlanTests.indexScans("sag_reminder_logs_user_outcomes_idx", postgres)
                let inbox = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_inbox", postgres)
                return caseIndex > caseIndexBefore && userIndex > userIndexBefore && inbox.indexScans > inboxBefore.indexScans
            }
            #expect(counted)
            let logsAfter = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_logs", postgres)
            let inboxAfter = try await DispatchQueryPlanTests.statistics(of: "sag_reminder_inbox", postgres)
            #expect(logsAfter.sequentialScans == logsBefore.sequentialScans, "the log was scanned: \(logsBefore) → \(logsAfter)")
            #expect(inboxAfter.sequentialScans == inboxBefore.sequentialScans, "the inbox was scanned: \(inboxBefore) → \(inboxAfter)")
        }
    }

    @Test("the history page in headless Chromium: summary, 30-day chart, rows with markup shown as text, a filter", .timeLimit(.minutes(3)))
    func historyPage() async throws {
        try await GatewayHarness.with(.live) { gateway, client in
            let port = try #require(client.port)
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await gateway.postgres.query(
                "INSERT INTO sag_sager (titel, status) VALUES ('Server migration', 'ny') RETURNING id"
            )[0].decode("id", as: Int.self)
            let hostile = "<img src=x onerror=\"window.__injected=1\"><b>Call</b> the customer & check"
            let first = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob], extra: ["title": hostile])
            let second = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice], extra: [
                "title": "Weekly check of the backups",
            ])
            let startOfToday = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
            let outcomes = ["sent", "sent", "failed", "dry_run", "rate_limited", "deferred", "skipped", "sent"]
            let daysAgo = [1, 1, 2, 3, 5, 5, 5, 8, 9, 12, 14, 18, 20, 23, 27, 29]
            var counts: [String: Int] = [:]
            var bars: [String: Int] = [:]
            for (index, ago) in daysAgo.enumerated() {
                let outcome = outcomes[index % outcomes.count]
                let firedAt = Date(timeIntervalSince1970: startOfToday - Double(ago) * 86_400 + 9 * 3600 + Double(index) * 60)
                let channel: String? = outcome == "rate_limited" ? nil : ["email", "mattermost", "frontend"][index % 3]
                try await Self.firing(gateway.postgres, reminder: index % 2 == 0 ? first : second, sag: sag, user: alice, channel: channel,
                                      outcome: outcome, firedAt: firedAt, afterMilliseconds: 120, reason: "test run")
                counts[outcome, default: 0] += 1
                bars["\(Timestamp.format(firedAt).prefix(10)) \(outcome)", default: 0] += 1
            }
            // Three in-app entries, two acknowledged (after 40 s and 80 s).
            for (index, acknowledgedAfter) in [40.0, 80.0, nil].enumerated() {
                let created = Date(timeIntervalSince1970: startOfToday - Double(index + 1) * 86_400 + 9 * 3600)
                try await gateway.postgres.query(
                    """
                    INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority, created_at, acknowledged_at)
                    VALUES ($1, gen_random_uuid(), $2, $3, $4, 'Reminder', 'normal', $5, $6)
                    """,
                    ["delivery-\(UUID())", second, sag, alice, created, acknowledgedAfter.map { created.addingTimeInterval($0) }]
                )
            }
            // Bob's rows and Alice's older ones stay off her page.
            try await Self.firing(gateway.postgres, reminder: first, sag: sag, user: bob, channel: "email", outcome: "failed",
                                  firedAt: Date().addingTimeInterval(-86_400), afterMilliseconds: 50)
            try await Self.firing(gateway.postgres, reminder: first, sag: sag, user: alice, channel: "email", outcome: "failed",
                                  firedAt: Date().addingTimeInterval(-45 * 86_400), afterMilliseconds: 50)
            let expected: [String: Any] = [
                "outcomes": ["sent", "failed", "rate_limited", "deferred", "skipped", "dry_run"].reduce(into: [String: Int]()) { $0[$1] = counts[$1] ?? 0 },
                "bars": bars, "rows": daysAgo.count, "hostile_title": hostile, "acknowledged": "67 %", "median": "median 40 s",
            ]
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("history-expected-\(TestEnvironment.uniqueSuffix()).json")
            try JSONSerialization.data(withJSONObject: expected).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let screenshot = ProcessInfo.processInfo.environment["GATEWAY_HISTORY_SCREENSHOT"]
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("history-\(TestEnvironment.uniqueSuffix()).png").path
            let browser = try ChildProcess(
                executable: Self.python,
                arguments: [TestEnvironment.packageRoot.appendingPathComponent("Tests/browser/history_test.py").path,
                            "http://localhost:\(port)", gateway.token(alice), file.path, screenshot],
                environment: [:]
            )
            let status = await browser.waitForExit(timeout: .seconds(150))
            let output = browser.outputText
            print(output)
            #expect(status == 0, "the history page test failed:\n\(output)")
            #expect(output.contains("OK"))
            #expect(FileManager.default.fileExists(atPath: screenshot))
        }
    }
}
