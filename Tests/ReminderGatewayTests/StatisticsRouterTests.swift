import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderStore
import Testing
@testable import ReminderGateway

/// Case statistics and the caller's history, through the router on the in-memory store.
@Suite("Gateway statistics and history on an in-memory store", .timeLimit(.minutes(1)))
struct StatisticsRouterTests {
    /// The in-memory store's clock is 2027-01-15T08:00:00Z; this window holds it.
    static let window = "from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z"

    static func arrange() -> (InMemoryGatewayStore, alice: Int, bob: Int, sag: Int, reminder: Int) {
        let store = InMemoryGatewayStore()
        let alice = store.addUser(), bob = store.addUser()
        let sag = store.addCase()
        return (store, alice, bob, sag, 0)
    }

    @Test("case statistics count every outcome per channel; history is the caller's own, paged")
    func countsAndHistory() async throws {
        let (store, alice, bob, sag, _) = Self.arrange()
        try await GatewayRouterTests.withGateway(store) { client in
            let created = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: GatewayRouterTests.token(alice),
                                                json: GatewayRouterTests.statusChange([alice, bob]))
            let reminder = try #require(created.object["id"] as? Int)
            for (user, status, channel) in [(alice, "sent", "email"), (alice, "sent", "frontend"), (alice, "failed", "mattermost"),
                                            (alice, "dry_run", "email"), (bob, "rate_limited", nil), (bob, "deferred", "email"),
                                            (bob, "skipped", "mattermost"), (alice, "dispatched", nil)] as [(Int, String, String?)] {
                store.addLog(reminderID: reminder, userID: user, recipientEmail: nil, status: status, reason: "because", errorMessage: nil,
                             channel: channel)
            }
            let stats = try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats?\(Self.window)", token: GatewayRouterTests.token(bob))
            #expect(stats.status == .ok, "\(stats.text)")
            #expect(stats.object["sag_id"] as? Int == sag)
            let outcomes = try #require(stats.object["outcomes"] as? [String: Int])
            #expect(outcomes == ["sent": 2, "failed": 1, "rate_limited": 1, "deferred": 1, "skipped": 1, "dry_run": 1])
            let channels = try #require(stats.object["channels"] as? [String: [String: Int]])
            #expect(channels["email"]?["sent"] == 1 && channels["email"]?["dry_run"] == 1 && channels["email"]?["deferred"] == 1)
            #expect(channels["none"]?["rate_limited"] == 1)
            #expect(Set(channels.keys) == ["email", "mattermost", "frontend", "webhook", "none"])
            let days = try #require(stats.object["days"] as? [[String: Any]])
            #expect(days.map { $0["date"] as? String } == ["2027-01-15"])

            let filtered = try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats?\(Self.window)&channel=email&status=sent",
                                                 token: GatewayRouterTests.token(bob))
            #expect(filtered.object["outcomes"] as? [String: Int] == ["sent": 1, "failed": 0, "rate_limited": 0, "deferred": 0, "skipped": 0, "dry_run": 0])
            #expect((filtered.object["channels"] as? [String: Any]).map { Set($0.keys) } == ["email"])
            let webhooks = try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats?\(Self.window)&channel=webhook",
                                                 token: GatewayRouterTests.token(bob))
            #expect(webhooks.status == .ok, "\(webhooks.text)")
            #expect((webhooks.object["channels"] as? [String: Any]).map { Set($0.keys) } == ["webhook"])

            // Alice's history: her four outcome rows (not the dispatch), newest first, two per page.
            let seen = try await Self.historyIDs(client, token: GatewayRouterTests.token(alice), pageSize: 2)
            #expect(seen.count == 4)
            #expect(seen == seen.sorted(by: >))
            let history = try await client.send(.get, "/api/v1/users/me/notifications/history?\(Self.window)", token: GatewayRouterTests.token(bob))
            let bobs = try #require(history.object["items"] as? [[String: Any]])
            #expect(bobs.compactMap { $0["status"] as? String }.sorted() == ["deferred", "rate_limited", "skipped"])
            #expect((history.object["stats"] as? [String: Any])?["outcomes"] as? [String: Int]
                == ["sent": 0, "failed": 0, "rate_limited": 1, "deferred": 1, "skipped": 1, "dry_run": 0])
        }
    }

    /// Every history id of the caller in the window, page by page.
    static func historyIDs(_ client: any TestClientProtocol, token: String, pageSize: Int) async throws -> [Int] {
        var ids: [Int] = []
        var query = "/api/v1/users/me/notifications/history?\(window)&limit=\(pageSize)"
        for _ in 0..<10 {
            let page = try await client.send(.get, query, token: token)
            #expect(page.status == .ok, "\(page.text)")
            let items = page.object["items"] as? [[String: Any]] ?? []
            #expect(items.allSatisfy { $0["title"] as? String == "Call the customer" })
            ids += items.compactMap { $0["id"] as? Int }
            guard let next = page.object["next_before"] as? Int else { break }
            query = "/api/v1/users/me/notifications/history?\(window)&limit=\(pageSize)&before=\(next)"
        }
        return ids
    }

    @Test("a case the host's rule refuses is 404, as one that does not exist")
    func caseAccess() async throws {
        let (store, alice, _, sag, _) = Self.arrange()
        store.closeCase(sag, to: alice)
        try await GatewayRouterTests.withGateway(store) { client in
            let refused = try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats", token: GatewayRouterTests.token(alice))
            #expect(refused.status == .notFound)
            #expect(refused.object["field"] as? String == "sag_id")
            #expect(try await client.send(.get, "/api/v1/sag/99999/reminders/stats", token: GatewayRouterTests.token(alice)).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats").status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/users/me/notifications/history").status == .unauthorized)
        }
    }

    @Test("bad query values are 422 naming the parameter", arguments: [
        ("from=yesterday", "from"), ("to=2027-13-01T00:00:00Z", "to"),
        ("from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z", "from"), ("from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", "from"),
        ("channel=sms", "channel"), ("status=fired", "status"), ("status=dispatched", "status"), ("limit=0", "limit"), ("limit=201", "limit"),
        ("before=-1", "before"),
    ])
    func badQuery(_ query: String, _ field: String) async throws {
        let (store, alice, _, sag, _) = Self.arrange()
        try await GatewayRouterTests.withGateway(store) { client in
            let history = try await client.send(.get, "/api/v1/users/me/notifications/history?\(query)", token: GatewayRouterTests.token(alice))
            #expect(history.status == .unprocessableContent, "\(history.text)")
            #expect(history.object["field"] as? String == field)
            if !["limit", "before"].contains(field) {
                let stats = try await client.send(.get, "/api/v1/sag/\(sag)/reminders/stats?\(query)", token: GatewayRouterTests.token(alice))
                #expect(stats.status == .unprocessableContent)
                #expect(stats.object["field"] as? String == field)
            }
        }
    }
}
