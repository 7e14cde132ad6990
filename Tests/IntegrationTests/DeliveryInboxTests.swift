import Foundation
import IntegrationSupport
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

@Suite("In-app deliveries written in one statement", .timeLimit(.minutes(2)))
struct DeliveryInboxTests {
    @Test("each in-app delivery gets one inbox entry, one log row and one final row, however often and in whatever batches it comes")
    func writtenOnce() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            let repository = PostgresDeliveryRepository(postgres: bench.postgres)
            let deliveries = (0..<20).map { bench.delivery(.frontend, index: $0) }
            let ids = deliveries.map(\.deliveryID)
            // The same delivery twice in one batch, and an older attempt beside a newer one.
            var newer = deliveries[1]
            newer.attempt = 1
            let first = try await repository.writeToInbox(deliveries + [deliveries[0], newer], now: Date())
            #expect(first.count == deliveries.count)
            #expect(first.allSatisfy { $0.result == .sent(messageID: nil) })
            #expect(first.first { $0.delivery.deliveryID == newer.deliveryID }?.delivery.attempt == 1)
            // Given again (a redelivered message, a second worker): nothing more.
            #expect(try await repository.writeToInbox(Array(deliveries.reversed()), now: Date()).isEmpty)
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [ids]) == ids.count)
            #expect(try await count(bench.postgres, "sag_reminder_deliveries", where: "delivery_id = ANY($1) AND status = 'sent'", [ids]) == ids.count)
            for delivery in deliveries {
                let log = try await bench.log(of: delivery.deliveryID)
                #expect(log.map(\.status) == ["sent"], "\(delivery.deliveryID)")
                #expect(log.first?.channel == "frontend")
                #expect(log.first?.userID == bench.userID)
                #expect(log.first?.reason == PostgresDeliveryRepository.inboxReason)
            }
            let entry = try #require(try await bench.postgres.query(
                "SELECT title, message, priority, case_title, user_id FROM sag_reminder_inbox WHERE delivery_id = $1", [ids[3]]
            ).first)
            #expect(try entry.decode("title", as: String.self) == deliveries[3].title)
            #expect(try entry.decode("message", as: String?.self) == deliveries[3].message)
            #expect(try entry.decode("priority", as: String.self) == "high")
            #expect(try entry.decode("case_title", as: String?.self) == "Test case")
            #expect(try entry.decode("user_id", as: Int.self) == bench.userID)
        }
    }

    @Test("an in-app delivery of a reminder a person stopped is recorded as skipped and writes no inbox entry")
    func stoppedReminderIsSkipped() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            try await bench.postgres.query("UPDATE sag_reminders SET stopped_at = now(), is_active = FALSE WHERE id = $1", [bench.reminderID])
            let repository = PostgresDeliveryRepository(postgres: bench.postgres)
            let delivery = bench.delivery(.frontend)
            let records = try await repository.writeToInbox([delivery], now: Date())
            #expect(records.map(\.result) == [.skipped(reason: PostgresDeliveryRepository.stoppedReason)])
            #expect(try await bench.status(of: delivery.deliveryID) == "skipped")
            #expect(try await bench.logCount(delivery.deliveryID, "skipped") == 1)
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [[delivery.deliveryID]]) == 0)
        }
    }

    @Test("an in-app delivery without a user is refused, and writes nothing")
    func noUserIsRefused() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            var delivery = bench.delivery(.frontend)
            delivery.recipientUserID = nil
            delivery.recipientEmail = "ann@example.test"
            await #expect(throws: StoreError.self) {
                try await PostgresDeliveryRepository(postgres: bench.postgres).writeToInbox([delivery], now: Date())
            }
            let status = try await bench.status(of: delivery.deliveryID)
            #expect(status == nil)
        }
    }

    @Test("two in-app workers receiving every message write each inbox entry once")
    func twoWorkersWriteOnce() async throws {
        try await DeliveryBench.with(channels: [.frontend]) { bench in
            var configuration = bench.configuration(.frontend)
            configuration.batchSize = 8
            let workers = [
                bench.worker(configuration, sender: nil, group: "inbox-a"),
                bench.worker(configuration, sender: nil, group: "inbox-b"),
            ]
            let deliveries = (0..<60).map { bench.delivery(.frontend, index: $0) }
            let ids = deliveries.map(\.deliveryID)
            try await bench.enqueue(deliveries)
            try await bench.run(workers) {
                let bothDone = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                    workers.allSatisfy { $0.handledMessages >= deliveries.count }
                }
                #expect(bothDone, "handled: \(workers.map(\.handledMessages))")
            }
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [ids]) == ids.count)
            #expect(try await count(
                bench.postgres, "sag_reminder_logs", where: "status = 'sent' AND dedupe_key LIKE 'deliver:%' AND event_id = ANY($1)",
                [deliveries.map(\.firedEventID)]
            ) == ids.count)
        }
    }
}
