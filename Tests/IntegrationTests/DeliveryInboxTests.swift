import Foundation
import IntegrationSupport
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing

/// In-app deliveries are written by the deciding stage, in its transaction,
/// through ``InboxWriter`` (by way of ``DeliveryHandoff``).
@Suite("In-app deliveries written straight to the inbox", .timeLimit(.minutes(2)))
struct DeliveryInboxTests {
    @Test("each in-app delivery gets one inbox entry, one log row and one final row, however often and in whatever batches it comes")
    func writtenOnce() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            let deliveries = (0..<20).map { bench.delivery(.frontend, index: $0) }
            let ids = deliveries.map(\.deliveryID)
            // The same delivery twice in one batch, and an older attempt beside a newer one.
            var newer = deliveries[1]
            newer.attempt = 1
            let first = try await write(deliveries + [deliveries[0], newer], through: bench.postgres)
            #expect(first.count == deliveries.count)
            #expect(first.allSatisfy { $0.result == .sent(messageID: nil) })
            #expect(first.first { $0.delivery.deliveryID == newer.deliveryID }?.delivery.attempt == 1)
            // Given again (a firing dispatched twice): nothing more.
            #expect(try await write(Array(deliveries.reversed()), through: bench.postgres).isEmpty)
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [ids]) == ids.count)
            #expect(try await count(bench.postgres, "sag_reminder_deliveries", where: "delivery_id = ANY($1) AND status = 'sent'", [ids]) == ids.count)
            for delivery in deliveries {
                let log = try await bench.log(of: delivery.deliveryID)
                #expect(log.map(\.status) == ["sent"], "\(delivery.deliveryID)")
                #expect(log.first?.channel == "frontend")
                #expect(log.first?.userID == bench.userID)
                #expect(log.first?.reason == InboxWriter.inboxReason)
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
            let delivery = bench.delivery(.frontend)
            let records = try await write([delivery], through: bench.postgres)
            #expect(records.map(\.result) == [.skipped(reason: PostgresDeliveryRepository.stoppedReason)])
            #expect(try await bench.status(of: delivery.deliveryID) == "skipped")
            #expect(try await bench.logCount(delivery.deliveryID, "skipped") == 1)
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [[delivery.deliveryID]]) == 0)
        }
    }

    @Test("an in-app delivery without a user, or one for another channel, is refused and writes nothing")
    func refused() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            var noUser = bench.delivery(.frontend)
            noUser.recipientUserID = nil
            noUser.recipientEmail = "ann@example.test"
            let email = bench.delivery(.email)
            for delivery in [noUser, email] {
                do {
                    _ = try await write([delivery], through: bench.postgres)
                    Issue.record("\(delivery.deliveryID) was written")
                } catch let error as PostgresTransactionError {
                    #expect(error.underlying is StoreError, "\(error)")
                }
                let status = try await bench.status(of: delivery.deliveryID)
                #expect(status == nil)
            }
        }
    }

    @Test("two transactions writing the same deliveries at once write each inbox entry once")
    func concurrentWritersWriteOnce() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            let deliveries = (0..<60).map { bench.delivery(.frontend, index: $0) }
            let ids = deliveries.map(\.deliveryID)
            let written = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await write(deliveries, through: bench.postgres).count }
                group.addTask { try await write(deliveries.reversed(), through: bench.postgres).count }
                return try await group.reduce(0, +)
            }
            #expect(written == ids.count)
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [ids]) == ids.count)
            #expect(try await count(
                bench.postgres, "sag_reminder_logs", where: "status = 'sent' AND dedupe_key LIKE 'deliver:%' AND event_id = ANY($1)",
                [deliveries.map(\.firedEventID)]
            ) == ids.count)
        }
    }

    @Test("the hand-off writes in-app entries to the inbox and queues the other channels in the outbox, in one transaction")
    func handOff() async throws {
        try await DeliveryBench.with(channels: []) { bench in
            let inApp = bench.delivery(.frontend)
            let email = bench.delivery(.email)
            let mattermost = bench.delivery(.mattermost)
            let written = try await bench.postgres.withTransaction { connection in
                try await DeliveryHandoff.handOn([email, inApp, mattermost], now: Date(), on: connection)
            }
            #expect(written.map(\.delivery.deliveryID) == [inApp.deliveryID])
            #expect(try await count(bench.postgres, "sag_reminder_inbox", where: "delivery_id = ANY($1)", [[inApp.deliveryID]]) == 1)
            let topics = try await bench.postgres.query(
                "SELECT topic FROM reminder_outbox WHERE event_id = ANY($1) ORDER BY topic", [[inApp.eventID, email.eventID, mattermost.eventID]]
            ).map { try $0.decode("topic", as: String.self) }
            #expect(topics == [TopicName.deliverEmail, TopicName.deliverMattermost])

            // A refused in-app entry takes the queued e-mail of its transaction with it.
            let queued = bench.delivery(.email, index: 1)
            var refused = bench.delivery(.frontend, index: 1)
            refused.recipientUserID = nil
            await #expect(throws: (any Error).self) {
                try await bench.postgres.withTransaction { connection in
                    try await DeliveryHandoff.handOn([queued, refused], now: Date(), on: connection)
                }
            }
            #expect(try await count(bench.postgres, "reminder_outbox", where: "event_id = ANY($1)", [[queued.eventID]]) == 0)
        }
    }

    @Test("an in-app delivery has no outbox row: asking for one is refused")
    func noOutboxRow() throws {
        let delivery = Delivery(
            eventID: UUID(), deliveryID: "d:frontend", firedEventID: UUID(), reminderID: 1, sagID: 1, caseTitle: nil, channel: .frontend,
            recipientUserID: 1, recipientEmail: nil, toAddress: nil, mattermostUsername: nil, title: "t", message: nil, priority: .normal,
            notBefore: nil
        )
        #expect(throws: StoreError.self) { try DeliveryOutbox.row(for: delivery) }
    }

    /// Writes `deliveries` in a transaction of their own, as a deciding stage does inside its own.
    private func write(_ deliveries: [Delivery], through postgres: PostgresClient) async throws -> [DeliveryRecord] {
        try await postgres.withTransaction { connection in
            try await InboxWriter.write(deliveries, now: Date(), on: connection)
        }
    }
}
