import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing

/// The dispatcher's transaction fans a firing out to webhook subscriptions, on a real database.
@Suite("Dispatch to webhook subscriptions", .timeLimit(.minutes(1)))
struct DispatchWebhookTests {
    static func subscribe(_ postgres: PostgresClient, sagID: Int?, by user: Int) async throws -> UUID {
        let box = try WebhookSecretBox(base64Key: Data((0..<32).map { UInt8($0) }).base64EncodedString())
        let id = UUID()
        _ = try await PostgresGatewayStore(postgres: postgres).createWebhook(
            id: id, sagID: sagID, url: "https://hooks.example.test/\(id)", sealedSecret: try box.seal(.generate(), for: id),
            description: nil, createdBy: user, limit: 20
        )
        return id
    }

    @Test("the case's and the global subscriptions each get one webhook delivery through the outbox, past the rate limit; others' and deleted ones none; a redelivered firing adds nothing")
    func fanOut() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let otherCase = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            let mine = try await Self.subscribe(postgres, sagID: sag, by: user)
            let global = try await Self.subscribe(postgres, sagID: nil, by: user)
            _ = try await Self.subscribe(postgres, sagID: otherCase, by: user)
            let deleted = try await Self.subscribe(postgres, sagID: sag, by: user)
            #expect(try await PostgresGatewayStore(postgres: postgres).deleteWebhook(deleted))
            // The user's hour is used up: people are held back, webhooks are not.
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (user_id, status, reason, dedupe_key, created_at)
                SELECT $1, 'dispatched', 'earlier', $2 || n, clock_timestamp() FROM generate_series(1, 5) AS n
                """,
                [user, "earlier:\(user):"]
            )
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let event = try await Fixtures.firstFiredEvent(postgres)
            let repository = PostgresDispatchRepository(postgres: postgres)
            let planner = DispatchPlanner(rateLimit: RateLimitWindow(limit: 5))

            let outcome = try await repository.dispatch(event, planner: planner)
            guard case .dispatched(let plan) = outcome else {
                Issue.record("expected a plan, got \(outcome)")
                return
            }
            #expect(plan.rateLimited == [.user(user)])
            let rows = try await postgres.query(
                "SELECT message_key, payload::text AS payload FROM reminder_outbox WHERE topic = $1 ORDER BY message_key", [TopicName.deliverWebhook]
            )
            let deliveries = try rows.map { try MessageCoding.decode(Delivery.self, from: Array(try $0.decode("payload", as: String.self).utf8)) }
            #expect(Set(deliveries.compactMap(\.webhookSubscriptionID)) == [mine, global])
            #expect(deliveries.allSatisfy { $0.channel == .webhook && $0.firedEventID == event.eventID && $0.notBefore == nil })
            #expect(Set(try rows.map { try $0.decode("message_key", as: String.self) }) == Set([mine, global].map { "webhook:" + $0.uuidString.lowercased() }))
            let logged = try await postgres.query(
                "SELECT count(*) AS n FROM sag_reminder_logs WHERE event_id = $1 AND channel = 'webhook' AND status = 'dispatched'", [event.eventID]
            )
            #expect(try logged[0].decode("n", as: Int.self) == 1)

            #expect(try await repository.dispatch(event, planner: planner) == .duplicate)
            let again = try await postgres.query("SELECT count(*) AS n FROM reminder_outbox WHERE topic = $1", [TopicName.deliverWebhook])
            #expect(try again[0].decode("n", as: Int.self) == 2)
        }
    }
}
