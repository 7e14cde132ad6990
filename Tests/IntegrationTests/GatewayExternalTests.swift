import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderGateway
import Testing

/// Tests that drive a live gateway from Python: a schemathesis fuzz run and a headless
/// Chromium run of notifications.js (see Tests/browser/README.md).
@Suite("Gateway from outside", .serialized)
struct GatewayExternalTests {
    static var python: String { ProcessInfo.processInfo.environment["PYTHON"] ?? "python3" }
    static var browserDirectory: URL { TestEnvironment.packageRoot.appendingPathComponent("Tests/browser") }

    @Test("schemathesis: no 5xx and no response outside the OpenAPI document", .timeLimit(.minutes(15)))
    func fuzz() async throws {
        try await GatewayHarness.with(.live, streamLifetime: .milliseconds(300), heartbeat: .milliseconds(100)) { gateway, client in
            let port = try #require(client.port)
            let user = try await gateway.user()
            // A case and a reminder with ids 1, so some generated requests reach real rows.
            let sag = try await Fixtures.caseRow(gateway.postgres)
            _ = try await createReminder(client, token: gateway.token(user), sag: sag, recipients: [user])
            let examples = ProcessInfo.processInfo.environment["GATEWAY_FUZZ_EXAMPLES"] ?? "200"
            // Run in a folder of its own: schemathesis keeps a cache in its working directory.
            let workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-fuzz-\(TestEnvironment.uniqueSuffix())")
            try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: workingDirectory) }
            let process = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "-C", workingDirectory.path, Self.python, "-m", "schemathesis.cli", "run", "http://localhost:\(port)/openapi.json",
                    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                    "--max-examples", examples, "--header", "Authorization: Bearer \(gateway.token(user))",
                    "--workers", "1", "--generation-database", "none", "--no-color", "--suppress-health-check", "all",
                ],
                environment: [:]
            )
            let status = await process.waitForExit(timeout: .seconds(840))
            let output = process.outputText
            print(output.suffix(3000))
            #expect(status == 0, "schemathesis failed:\n\(output.suffix(6000))")
        }
    }

    @Test("browser: the toast appears within 2 s of a status change (via SSE); snooze and dismiss from it; the held-back entry opens", .timeLimit(.minutes(3)))
    func browserToast() async throws {
        try await GatewayHarness.with(.live, streamLifetime: .seconds(120), heartbeat: .seconds(15)) { gateway, client in
            let port = try #require(client.port)
            let user = try await gateway.user()
            let sag = try await gateway.postgres.query(
                "INSERT INTO sag_sager (titel, status) VALUES ('Server migration', 'ny') RETURNING id"
            )[0].decode("id", as: Int.self)
            _ = try await createReminder(client, token: gateway.token(user), sag: sag, recipients: [user], extra: [
                "title": "Case is in progress", "message": "Someone started on the server migration.",
            ])
            _ = try await createReminder(client, token: gateway.token(user), sag: sag, recipients: [user], extra: [
                "title": "Case closed", "priority": "normal", "trigger_config": ["target_status": "afsluttet"],
            ])
            // Two notifications the rate limit held back, as the dispatcher logs them.
            let heldReminder = try await createReminder(client, token: gateway.token(user), sag: sag, recipients: [user], extra: [
                "title": "Customer <b>called</b> back", "trigger_config": ["target_status": "venter"],
            ])
            try await gateway.postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, status, reason, dedupe_key)
                SELECT $1, $2, gen_random_uuid(), $3, 'rate_limited', '5 notifications in the last hour; the limit is 5',
                       'browser-held:' || n FROM generate_series(1, 2) AS n
                """,
                [heldReminder, sag, user]
            )
            let screenshot = ProcessInfo.processInfo.environment["GATEWAY_SCREENSHOT"]
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("gateway-toast-\(TestEnvironment.uniqueSuffix()).png").path
            let browser = try ChildProcess(
                executable: Self.python,
                arguments: [Self.browserDirectory.appendingPathComponent("toast_test.py").path,
                            "http://localhost:\(port)", gateway.token(user), String(sag), screenshot],
                environment: [:]
            )
            // Stands in for the pipeline's dispatcher: each new firing becomes an inbox
            // entry per recipient, as soon as it is queued.
            var exitStatus: Int32?
            while exitStatus == nil {
                try await gateway.postgres.query(
                    """
                    WITH fired AS (
                        UPDATE sag_reminder_queue q SET status = 'sent', processed_at = now()
                          FROM sag_reminders r
                         WHERE q.status = 'pending' AND r.id = q.reminder_id
                        RETURNING q.event_id, q.reminder_id, q.sag_id, r.title, r.message, r.priority, r.recipient_user_ids
                    )
                    INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority, case_title)
                    SELECT f.event_id::text || ':' || u.id, f.event_id, f.reminder_id, f.sag_id, u.id, f.title, f.message, f.priority,
                           (SELECT titel FROM sag_sager WHERE id = f.sag_id)
                      FROM fired f CROSS JOIN LATERAL unnest(f.recipient_user_ids) AS u(id)
                    """
                )
                exitStatus = await browser.waitForExit(timeout: .milliseconds(20))
            }
            let output = browser.outputText
            print(output)
            #expect(exitStatus == 0, "browser test failed:\n\(output)")
            #expect(output.contains("toast_latency_ms="))
            #expect(try await count(gateway.postgres, "sag_reminder_snoozes", where: "user_id = \(user)") == 1)
            #expect(try await count(gateway.postgres, "sag_reminder_logs", where: "status = 'dismissed' AND user_id = \(user)") == 1)
            #expect(FileManager.default.fileExists(atPath: screenshot))
        }
    }
}
