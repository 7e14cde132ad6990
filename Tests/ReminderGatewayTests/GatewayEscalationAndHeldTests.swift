import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderStore
import Testing
@testable import ReminderGateway

/// The `escalation` field and the held list, driven through the router on the in-memory store.
@Suite("Gateway escalation field and held list", .timeLimit(.minutes(1)))
struct GatewayEscalationAndHeldTests {
    typealias Router = GatewayRouterTests

    @Test("escalation steps are stored and read back; PATCH replaces them and null clears them")
    func escalationRoundTrip() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let boss = store.addUser()
        let sag = store.addCase()
        try await Router.withGateway(store) { client in
            let steps: [[String: Any]] = [
                ["after_minutes": 60, "to_user_ids": [boss], "channels": ["email"]],
                ["after_minutes": 120, "to_user_ids": [boss, alice], "channels": ["mattermost", "frontend"]],
            ]
            let created = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Router.token(alice), json: Router.statusChange([alice], extra: ["escalation": steps])
            )
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            let read = try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Router.token(alice))
            let escalation = read.object["escalation"] as? [[String: Any]]
            #expect(escalation?.count == 2)
            #expect(escalation?.first?["after_minutes"] as? Int == 60)
            #expect(escalation?.last?["to_user_ids"] as? [Int] == [boss, alice])
            #expect(escalation?.last?["channels"] as? [String] == ["mattermost", "frontend"])

            let patched = try await client.send(.patch, "/api/v1/sag/reminders/\(id)", token: Router.token(alice), json: [
                "escalation": [["after_minutes": 15, "to_user_ids": [boss], "channels": ["frontend"]]],
            ])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect((patched.object["escalation"] as? [[String: Any]])?.count == 1)
            let cleared = try await client.send(.patch, "/api/v1/sag/reminders/\(id)", token: Router.token(alice), json: ["escalation": NSNull()])
            #expect((cleared.object["escalation"] as? [Any])?.isEmpty == true)
        }
        #expect(store.storedReminders.first?.draft.escalation.isEmpty == true)
    }

    @Test("bad escalation input is a 422 naming the field", arguments: [
        ("too many steps", "escalation", 6),
        ("times not increasing", "escalation[1].after_minutes", 1),
        ("zero minutes", "escalation[0].after_minutes", 2),
        ("no users", "escalation[0].to_user_ids", 3),
        ("unknown channel", "escalation[0].channels[0]", 4),
        ("webhook is no person's channel", "escalation[0].channels[1]", 10),
        ("unknown field", "escalation[0].to", 5),
        ("unknown user", "escalation[0].to_user_ids[1]", 7),
        ("deactivated user", "escalation[1].to_user_ids[0]", 8),
        ("not an object", "escalation[0]", 9),
    ])
    func badEscalation(_ name: String, _ field: String, _ variant: Int) async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let gone = store.addUser(active: false)
        let sag = store.addCase()
        try await Router.withGateway(store) { client in
            let steps = Self.steps(variant, alice: alice, gone: gone)
            let answer = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Router.token(alice), json: Router.statusChange([alice], extra: ["escalation": steps])
            )
            #expect(answer.status == .unprocessableContent, "\(name): \(answer.text)")
            #expect(answer.headers[.contentType] == "application/problem+json")
            #expect(answer.object["field"] as? String == field, "\(name): \(answer.text)")
        }
        #expect(store.storedReminders.isEmpty)
    }

    static func steps(_ variant: Int, alice: Int, gone: Int) -> Any {
        func step(_ minutes: Int, _ users: [Int] = [alice], _ channels: [String] = ["email"]) -> [String: Any] {
            ["after_minutes": minutes, "to_user_ids": users, "channels": channels]
        }
        return switch variant {
        case 6: (1...6).map { step($0 * 10) }
        case 1: [step(30), step(30)]
        case 2: [step(0)]
        case 3: [step(10, [])]
        case 4: [step(10, [alice], ["sms"])]
        case 5: [["after_minutes": 10, "to": [alice], "to_user_ids": [alice], "channels": ["email"]]]
        case 7: [step(10, [alice, 999_999])]
        case 8: [step(10), step(20, [gone])]
        case 10: [step(10, [alice], ["email", "webhook"])]
        default: ["soon"]
        }
    }

    @Test("held/me lists the caller's own held items of the last 7 days on cases the caller may access")
    func heldList() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let bob = store.addUser()
        let sag = store.addCase(title: "Server migration")
        let hidden = store.addCase()
        try await Router.withGateway(store) { client in
            let created = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Router.token(alice), json: Router.statusChange([alice, bob]))
            let id = try #require(created.object["id"] as? Int)
            let other = try await client.send(.post, "/api/v1/sag/\(hidden)/reminders", token: Router.token(alice), json: Router.statusChange([alice]))
            let otherID = try #require(other.object["id"] as? Int)
            store.addHeld(reminderID: id, userID: alice, ageSeconds: 60)
            store.addHeld(reminderID: id, userID: alice, ageSeconds: 120)
            store.addHeld(reminderID: id, userID: alice, ageSeconds: 8 * 86_400)
            store.addHeld(reminderID: id, userID: bob)
            store.addHeld(reminderID: otherID, userID: alice)
            store.closeCase(hidden, to: alice)

            let held = try await client.send(.get, "/api/v1/reminders/held/me", token: Router.token(alice))
            #expect(held.status == .ok)
            #expect(held.object["count"] as? Int == 2)
            let items = held.object["items"] as? [[String: Any]]
            #expect(items?.count == 2)
            #expect(items?.first?["title"] as? String == "Call the customer")
            #expect(items?.first?["case_title"] as? String == "Server migration")
            #expect(items?.first?["reminder_id"] as? Int == id)
            #expect(items?.first?["held_at"] is String)

            let unauthenticated = try await client.send(.get, "/api/v1/reminders/held/me")
            #expect(unauthenticated.status == .unauthorized)
        }
    }
}
