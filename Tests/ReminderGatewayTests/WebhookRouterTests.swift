import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderDomain
import ReminderStore
import Testing
@testable import ReminderGateway

/// Webhook subscriptions through the router on the in-memory store.
@Suite("Gateway webhook subscriptions on an in-memory store", .timeLimit(.minutes(1)))
struct WebhookRouterTests {
    static let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    /// Host names resolve to what the test says, never through the network.
    static func configure(_ answers: [String: [[UInt8]]] = [:]) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            configuration.webhookSecrets = try? WebhookSecretBox(base64Key: key)
            configuration.webhookResolver = { host in
                guard let found = answers[host] else { throw StoreError(.notFound, "no such host") }
                return found
            }
        }
    }

    @Test("a case subscription: created with the secret shown once, listed without it, deleted")
    func lifecycle() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await GatewayRouterTests.withGateway(store, configure: Self.configure(["hooks.example.test": [[93, 184, 216, 34]]])) { client in
            let token = GatewayRouterTests.token(alice)
            let created = try await client.send(.post, "/api/v1/webhooks", token: token, json: [
                "url": "https://hooks.example.test/in", "sag_id": sag, "description": "CRM",
            ])
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.object["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["sag_id"] as? Int == sag)
            // Stored sealed: the text of the secret is not in the store.
            let uuid = try #require(UUID(uuidString: id))
            let sealed = try #require(store.sealedSecret(of: uuid))
            #expect(!sealed.contains(String(secret.dropFirst(6))))

            let listed = try await client.send(.get, "/api/v1/webhooks", token: token)
            #expect(listed.status == .ok)
            #expect(!listed.text.contains("secret"))
            #expect((listed.object["webhooks"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            #expect(try await client.send(.delete, "/api/v1/webhooks/\(id)", token: token).status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/webhooks/\(id)", token: token).status == .notFound)
            #expect((try await client.send(.get, "/api/v1/webhooks", token: token).object["webhooks"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a secret given by the caller must be whsec_ and strong; it is echoed once")
    func givenSecret() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await GatewayRouterTests.withGateway(store, configure: Self.configure()) { client in
            let token = GatewayRouterTests.token(alice)
            let strong = WebhookSecret.generate().text
            let ok = try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": sag, "secret": strong])
            #expect(ok.status == .created, "\(ok.text)")
            #expect(ok.object["secret"] as? String == strong)
            for weak in ["whsec_c2hvcnQ=", "plain-text-secret-that-is-long-enough", 42] as [Any] {
                let refused = try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": sag, "secret": weak])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.object["field"] as? String == "secret")
                #expect(refused.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("URLs that are not https or reach inside the network are refused with 422 naming url", arguments: [
        "http://hooks.example.test/in", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[::1]/x",
        "https://internal.example.test/x", "https://mixed.example.test/x", "https://nowhere.example.test/x", "ftp://hooks.example.test/x",
        "https://user:pw@hooks.example.test/x", "https://2130706433/x",
    ])
    func refusedURL(url: String) async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        let answers: [String: [[UInt8]]] = [
            "hooks.example.test": [[93, 184, 216, 34]], "internal.example.test": [[192, 168, 1, 10]],
            "mixed.example.test": [[93, 184, 216, 34], [169, 254, 169, 254]],
        ]
        try await GatewayRouterTests.withGateway(store, configure: Self.configure(answers)) { client in
            let refused = try await client.send(.post, "/api/v1/webhooks", token: GatewayRouterTests.token(alice), json: ["url": url, "sag_id": sag])
            #expect(refused.status == .unprocessableContent, "\(url): \(refused.text)")
            #expect(refused.object["field"] as? String == "url")
        }
    }

    @Test("global subscriptions: administrators only; others neither see nor delete them")
    func global() async throws {
        let store = InMemoryGatewayStore()
        let admin = store.addUser(), alice = store.addUser()
        try await GatewayRouterTests.withGateway(store, configure: Self.configure()) { client in
            let refused = try await client.send(.post, "/api/v1/webhooks", token: GatewayRouterTests.token(alice), json: ["url": "https://93.184.216.34/x"])
            #expect(refused.status == .forbidden)
            #expect(refused.object["field"] as? String == "sag_id")
            let adminToken = GatewayRouterTests.token(admin, roles: ["admin"])
            let created = try await client.send(.post, "/api/v1/webhooks", token: adminToken, json: ["url": "https://93.184.216.34/x"])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["sag_id"] is NSNull)
            let id = try #require(created.object["id"] as? String)
            #expect((try await client.send(.get, "/api/v1/webhooks", token: GatewayRouterTests.token(alice)).object["webhooks"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.delete, "/api/v1/webhooks/\(id)", token: GatewayRouterTests.token(alice)).status == .notFound)
            #expect((try await client.send(.get, "/api/v1/webhooks", token: adminToken).object["webhooks"] as? [Any])?.count == 1)
            #expect(try await client.send(.delete, "/api/v1/webhooks/\(id)", token: adminToken).status == .noContent)
        }
    }

    @Test("a case the caller may not access: 404 on create, hidden in the list, 404 on delete")
    func caseAccess() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser(), bob = store.addUser()
        let sag = store.addCase()
        store.closeCase(sag, to: bob)
        try await GatewayRouterTests.withGateway(store, configure: Self.configure()) { client in
            let created = try await client.send(.post, "/api/v1/webhooks", token: GatewayRouterTests.token(alice), json: ["url": "https://93.184.216.34/x", "sag_id": sag])
            let id = try #require(created.object["id"] as? String)
            let bobToken = GatewayRouterTests.token(bob)
            #expect(try await client.send(.post, "/api/v1/webhooks", token: bobToken, json: ["url": "https://93.184.216.34/x", "sag_id": sag]).status == .notFound)
            #expect((try await client.send(.get, "/api/v1/webhooks", token: bobToken).object["webhooks"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.delete, "/api/v1/webhooks/\(id)", token: bobToken).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/webhooks/not-a-uuid", token: bobToken).status == .notFound)
        }
    }

    @Test("bad bodies: missing url, unknown fields, bad sag_id, long description; no key configured is 503")
    func badBodies() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await GatewayRouterTests.withGateway(store, configure: Self.configure()) { client in
            let token = GatewayRouterTests.token(alice)
            for (body, field) in [
                (["sag_id": sag] as [String: Any], "url"), (["url": "https://93.184.216.34/x", "sag_id": sag, "colour": "red"], "colour"),
                (["url": "https://93.184.216.34/x", "sag_id": "seven"], "sag_id"), (["url": "https://93.184.216.34/x", "sag_id": 0], "sag_id"),
                (["url": "https://93.184.216.34/x", "sag_id": sag, "description": String(repeating: "x", count: 201)], "description"),
            ] {
                let refused = try await client.send(.post, "/api/v1/webhooks", token: token, json: body)
                #expect(refused.status == .unprocessableContent, "\(body): \(refused.text)")
                #expect(refused.object["field"] as? String == field)
            }
        }
        try await GatewayRouterTests.withGateway(store) { client in
            let refused = try await client.send(.post, "/api/v1/webhooks", token: GatewayRouterTests.token(alice), json: ["url": "https://93.184.216.34/x", "sag_id": sag])
            #expect(refused.status == .serviceUnavailable)
        }
    }

    @Test("at most 20 live subscriptions per case: the 21st is 409 naming sag_id; deleting one makes room")
    func limitPerCase() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase(), other = store.addCase()
        try await GatewayRouterTests.withGateway(store, configure: Self.configure()) { client in
            let token = GatewayRouterTests.token(alice)
            var ids: [String] = []
            for _ in 0..<20 {
                let created = try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": sag])
                #expect(created.status == .created)
                ids.append(created.object["id"] as? String ?? "")
            }
            let full = try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": sag])
            #expect(full.status == .conflict)
            #expect(full.object["field"] as? String == "sag_id")
            #expect(try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": other]).status == .created)
            #expect(try await client.send(.delete, "/api/v1/webhooks/\(ids[0])", token: token).status == .noContent)
            #expect(try await client.send(.post, "/api/v1/webhooks", token: token, json: ["url": "https://93.184.216.34/x", "sag_id": sag]).status == .created)
        }
    }
}
