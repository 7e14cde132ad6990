import Foundation
import IntegrationSupport
import ReminderContracts
import ReminderDomain
import Testing

@Suite("Delivery workers as processes", .timeLimit(.minutes(2)))
struct DeliveryProcessTests {
    @Test("SIGKILL `reminders worker email` mid-stream and restart it: every delivery is logged sent exactly once; SIGTERM exits 0")
    func killAndRestart() async throws {
        // A server that answers each message 20 ms late, and batches of 25: the first worker
        // commits its outcomes a batch at a time and is still sending when it is killed, however
        // fast it runs.
        try await withSMTPSink(arguments: ["--delay-ms", "20"]) { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                let total = 300
                let concurrency = 4
                let deliveries = (0..<total).map { bench.delivery(.email, title: "Belastning \($0)", index: $0) }
                try await bench.enqueue(deliveries)
                let environment = [
                    "DATABASE_URL": bench.database.url, "KAFKA_TOPIC_PREFIX": bench.topicPrefix, "LOG_LEVEL": "warning",
                    "REMINDERS_EMAIL_ENABLED": "true", "REMINDERS_DRY_RUN": "false",
                    "EMAIL_SMTP_HOST": "127.0.0.1", "EMAIL_SMTP_PORT": "\(sink.port)", "EMAIL_SMTP_USE_TLS": "false",
                    "EMAIL_SMTP_USER": "", "PUBLIC_BASE_URL": "https://hub.example.test",
                    "DELIVERY_CONCURRENCY": "\(concurrency)", "DELIVERY_BATCH_SIZE": "25",
                ]
                let sentRows = "status = 'sent' AND channel = 'email'"
                let relay = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
                let first = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["worker", "email"], environment: environment)
                let underWay = try await eventually(timeout: .seconds(40), every: .milliseconds(10)) {
                    try await count(bench.postgres, "sag_reminder_logs", where: sentRows) >= 20
                }
                #expect(underWay, "\(first.outputText)")
                first.signal(SIGKILL)
                _ = await first.waitForExit(timeout: .seconds(10))
                let atKill = try await count(bench.postgres, "sag_reminder_logs", where: sentRows)
                #expect(atKill < total, "the kill came too late to test anything")

                let second = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["worker", "email"], environment: environment)
                let finished = try await eventually(timeout: .seconds(50), every: .milliseconds(50)) {
                    try await count(bench.postgres, "sag_reminder_logs", where: sentRows) >= total
                }
                #expect(finished, "\(second.outputText)")
                for process in [second, relay] { process.signal(SIGTERM) }
                #expect(await second.waitForExit(timeout: .seconds(15)) == 0, "\(second.outputText)")
                #expect(await relay.waitForExit(timeout: .seconds(15)) == 0)

                let perDelivery = try await bench.postgres.query(
                    """
                    SELECT count(DISTINCT d.delivery_id) AS deliveries,
                           coalesce(max(n), 0) AS most, coalesce(min(n), 0) AS least
                      FROM sag_reminder_deliveries d
                      LEFT JOIN (SELECT split_part(dedupe_key, ':', 2) || ':' || split_part(dedupe_key, ':', 3) || ':' ||
                                        split_part(dedupe_key, ':', 4) || ':' || split_part(dedupe_key, ':', 5) AS id, count(*) AS n
                                   FROM sag_reminder_logs WHERE status = 'sent' GROUP BY 1) AS s ON s.id = d.delivery_id
                    """
                )
                #expect(try perDelivery[0].decode("deliveries", as: Int.self) == total)
                #expect(try perDelivery[0].decode("most", as: Int.self) == 1)
                #expect(try perDelivery[0].decode("least", as: Int.self) == 1)
                #expect(try await count(bench.postgres, "sag_reminder_deliveries", where: "status = 'sent'") == total)

                // The sink saw every Message-ID; a send repeated because the
                // kill fell between SMTP 250 and our commit shows as a duplicate.
                let spooled = try sink.messages()
                let ids = spooled.compactMap { messageIDHeader(of: $0.raw) }
                // One SMTP session carries many messages: two worker processes
                // with `concurrency` sessions each.
                let connections = Set(spooled.compactMap(\.meta.peerPort)).count
                #expect(connections <= 2 * concurrency + 1, "\(connections) SMTP connections for \(spooled.count) messages")
                let unique = Set(ids)
                #expect(unique.count == total)
                let repeated = ids.count - unique.count
                print("delivery kill test: \(total) deliveries, \(atKill) sent before the kill, \(repeated) e-mail(s) sent twice, \(connections) SMTP connections")
                // Each accepted send is noted at once, so only sends accepted in
                // the instant before the kill (at most those in flight) repeat.
                #expect(repeated <= concurrency, "more repeats than sends in flight: \(repeated)")
            }
        }
    }

    @Test("a worker that would send without a server or webhook refuses to start, naming the variable; an unknown channel is refused")
    func missingSettings() async throws {
        let cases: [([String], [String: String], String)] = [
            (["worker", "email"], ["REMINDERS_EMAIL_ENABLED": "true", "REMINDERS_DRY_RUN": "false", "EMAIL_SMTP_HOST": ""], "EMAIL_SMTP_HOST"),
            (["worker", "mattermost"], ["REMINDERS_MATTERMOST_ENABLED": "true", "REMINDERS_DRY_RUN": "false", "MATTERMOST_WEBHOOK_URL": ""], "MATTERMOST_WEBHOOK_URL"),
            (["worker", "sms"], [:], "sms"),
        ]
        for (arguments, environment, expected) in cases {
            let process = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: arguments, environment: environment)
            let status = await process.waitForExit(timeout: .seconds(30))
            #expect(status != nil && status != 0, "\(arguments): \(process.outputText)")
            // The pipe may deliver the last line a moment after the exit.
            let named = await eventually(timeout: .seconds(20)) { process.outputText.contains(expected) }
            #expect(named, "\(arguments): \(process.outputText)")
        }
    }
}
