import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderDomain
import ReminderGateway
import ReminderStore
import Testing

/// Webhook subscriptions through the gateway on a real database, with the host's case rule.
@Suite("Gateway webhook subscriptions on PostgreSQL", .timeLimit(.minutes(1)))
struct GatewayWebhookTests {
    static let key = Data((0..<32).map { UInt8($0 * 3) }).base64EncodedString()

    static func configure(_ configuration: inout GatewayConfiguration) {
        configuration.webhookSecrets = try? WebhookSecretBox(base64Key: key)
        configuration.webhookResolver = { host in
            guard host == "hooks.example.test" else { throw StoreError(.notFound, "unknown host") }
            return [[93, 184, 216, 34]]
        }
    }

    @Test("create, list and delete under reminders_can_access_case; the secret is stored sealed and opens for the worker")
    func caseRule() async throws {
        try await GatewayHarness.with(configure: Self.configure) { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user(), admin = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let created = try await client.call(.post, "/api/v1/webhooks", token: gateway.token(alice), json: [
                "url": "https://hooks.example.test/in", "sag_id": sag, "description": "CRM",
            ])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let secret = try WebhookSecret(text: try #require(created.object["secret"] as? String))
            let uuid = try #require(UUID(uuidString: id))

            // What the worker reads opens to the secret the caller was shown; the table holds it sealed.
            let target = try #require(try await PostgresWebhookTargets(postgres: gateway.postgres).webhookTarget(uuid))
            #expect(target.url == "https://hooks.example.test/in")
            #expect(try WebhookSecretBox(base64Key: Self.key).open(target.sealedSecret, for: uuid) == secret)
            #expect(!target.sealedSecret.contains(String(secret.text.dropFirst(6))))

            let global = try await client.call(.post, "/api/v1/webhooks", token: gateway.token(admin, roles: ["admin"]), json: ["url": "https://hooks.example.test/all"])
            #expect(global.status == .created, "\(global.text)")
            #expect(try await client.call(.post, "/api/v1/webhooks", token: gateway.token(bob), json: ["url": "https://hooks.example.test/all"]).status == .forbidden)

            // The host's rule: Bob may not see this case.
            try await gateway.postgres.query(
                """
                CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER) RETURNS BOOLEAN
                LANGUAGE sql STABLE AS $$ SELECT NOT (p_user_id = \(bob) AND p_sag_id = \(sag)) $$
                """
            )
            let bobList = try await client.call(.get, "/api/v1/webhooks", token: gateway.token(bob))
            #expect(bobList.status == .ok)
            #expect((bobList.object["webhooks"] as? [Any])?.isEmpty == true, "\(bobList.text)")
            #expect(try await client.call(.delete, "/api/v1/webhooks/\(id)", token: gateway.token(bob)).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/webhooks", token: gateway.token(bob), json: ["url": "https://hooks.example.test/x", "sag_id": sag]).status == .notFound)

            let aliceList = try await client.call(.get, "/api/v1/webhooks?sag_id=\(sag)", token: gateway.token(alice))
            #expect((aliceList.object["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(aliceList.text)")
            #expect(!aliceList.text.contains("secret"))
            let adminList = try await client.call(.get, "/api/v1/webhooks", token: gateway.token(admin, roles: ["admin"]))
            #expect((adminList.object["webhooks"] as? [Any])?.count == 2)

            let refused = try await client.call(.post, "/api/v1/webhooks", token: gateway.token(alice), json: ["url": "https://169.254.169.254/latest", "sag_id": sag])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.field == "url")
            #expect(refused.isProblem)

            #expect(try await client.call(.delete, "/api/v1/webhooks/\(id)", token: gateway.token(alice)).status == .noContent)
            #expect(try await PostgresWebhookTargets(postgres: gateway.postgres).webhookTarget(uuid) == nil)
        }
    }

    @Test("the per-case limit holds in the database, also for subscriptions made at the same time")
    func limitInTheDatabase() async throws {
        try await GatewayHarness.with(configure: Self.configure) { gateway, _ in
            let alice = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let store = PostgresGatewayStore(postgres: gateway.postgres)
            let made = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let id = UUID()
                        return try await store.createWebhook(
                            id: id, sagID: sag, url: "https://hooks.example.test/\(id)", sealedSecret: "v1.AAAA", description: nil,
                            createdBy: alice, limit: 5
                        ) != nil
                    }
                }
                var count = 0
                for try await created in group where created { count += 1 }
                return count
            }
            #expect(made == 5)
            #expect(try await store.webhooks(visibleTo: alice, isAdmin: false, sagID: sag).count == 5)
            // The global set has its own count.
            #expect(try await store.createWebhook(
                id: UUID(), sagID: nil, url: "https://hooks.example.test/g", sealedSecret: "v1.AAAA", description: nil, createdBy: alice, limit: 5
            ) != nil)
        }
    }
}
