import Foundation
import IntegrationSupport
import ReminderDelivery
import ReminderDomain
import Testing

@Suite("Two workers given the same deliveries", .timeLimit(.minutes(2)))
struct DeliveryClaimTests {
    @Test("each delivery is claimed before it is sent: two workers receiving every message send each e-mail once")
    func claimedBeforeSent() async throws {
        try await withSMTPSink { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                var smtp = EmailSender.smtpConfiguration(host: "127.0.0.1", port: sink.port, user: "", password: "", useTLS: false, sessions: 4)
                smtp.timeout = .seconds(10)
                var configuration = bench.configuration(.email)
                configuration.batchSize = 8
                // Different consumer groups: both workers get every message,
                // as two members do around a rebalance.
                let workers = [
                    bench.worker(configuration, sender: try emailSender(smtp), group: "claim-a"),
                    bench.worker(configuration, sender: try emailSender(smtp), group: "claim-b"),
                ]
                let deliveries = (0..<60).map { bench.delivery(.email, title: "Opfølgning \($0)", index: $0) }
                try await bench.enqueue(deliveries)
                try await bench.run(workers) {
                    let done = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                        let rows = try await bench.postgres.query(
                            "SELECT count(*) AS n FROM sag_reminder_deliveries WHERE delivery_id = ANY($1) AND status = 'sent'",
                            [deliveries.map(\.deliveryID)]
                        )
                        return try rows[0].decode("n", as: Int.self) == deliveries.count
                    }
                    #expect(done)
                    // Both workers handle every message (one sends it, the other
                    // finds it claimed or handled).
                    let bothDone = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                        workers.allSatisfy { $0.handledMessages >= deliveries.count }
                    }
                    #expect(bothDone, "handled: \(workers.map(\.handledMessages))")
                }
                let messages = try sink.messages()
                // Read in-process: sixty parser processes in a row once crashed the
                // test process inside libdispatch while other suites spawned theirs.
                let ids = messages.map { $0.header("Message-ID") ?? "" }
                #expect(!ids.contains(""), "an e-mail without a Message-ID")
                #expect(messages.count == deliveries.count, "\(messages.count) e-mails for \(deliveries.count) deliveries")
                #expect(Set(ids).count == ids.count, "repeated Message-IDs: \(ids.count - Set(ids).count)")
                let sentRows = try await bench.postgres.query(
                    """
                    SELECT count(*) AS n FROM sag_reminder_logs
                     WHERE status = 'sent' AND dedupe_key LIKE 'deliver:%' AND event_id = ANY($1)
                    """,
                    [deliveries.map(\.firedEventID)]
                )
                #expect(try sentRows[0].decode("n", as: Int.self) == deliveries.count)
            }
        }
    }
}

@Suite("A send accepted before a crash", .timeLimit(.minutes(1)))
struct DeliveryAcceptanceTests {
    @Test("a delivery whose send was noted as accepted (by a worker that died before recording it) is recorded sent, not sent again")
    func acceptedBeforeCrashIsNotResent() async throws {
        try await withSMTPSink { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                let smtp = EmailSender.smtpConfiguration(host: "127.0.0.1", port: sink.port, user: "", password: "", useTLS: false)
                let worker = bench.worker(bench.configuration(.email), sender: try emailSender(smtp))
                let accepted = bench.delivery(.email, title: "Allerede sendt", index: 0)
                let fresh = bench.delivery(.email, title: "Ny", index: 1)
                // What the dead worker left: its note, but no recorded outcome.
                try await bench.postgres.query(
                    "INSERT INTO sag_reminder_delivery_acceptances (delivery_id, attempt, message_id) VALUES ($1, 0, 'earlier@id')",
                    [accepted.deliveryID]
                )
                try await bench.enqueue([accepted, fresh])
                try await bench.run([worker]) {
                    let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        let acceptedSent = try await bench.logCount(accepted.deliveryID, "sent")
                        let freshSent = try await bench.logCount(fresh.deliveryID, "sent")
                        return acceptedSent == 1 && freshSent == 1
                    }
                    #expect(done)
                }
                let messages = try sink.messages()
                #expect(messages.count == 1, "only the fresh delivery is sent")
                let stored = try await bench.postgres.query(
                    "SELECT message_id FROM sag_reminder_deliveries WHERE delivery_id = $1", [accepted.deliveryID]
                )
                #expect(try stored.first?.decode("message_id", as: String?.self) == "earlier@id")
                let left = try await bench.postgres.query("SELECT count(*) AS n FROM sag_reminder_delivery_acceptances")
                #expect(try left[0].decode("n", as: Int.self) == 0, "recording removes the notes")
            }
        }
    }
}
