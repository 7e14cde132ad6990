import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ReminderStore
import Testing
@testable import ReminderGateway

/// The gateway's routes driven in-process on a store held in memory: no server, no database.
@Suite("Gateway router on an in-memory store", .timeLimit(.minutes(1)))
struct GatewayRouterTests {
    static let tokens = JSONWebToken(secret: "unit-test-secret")

    /// Runs `body` against the gateway's application on `store`, through its router.
    static func withGateway(
        _ store: InMemoryGatewayStore,
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test.gateway")
        logger.logLevel = .error
        var configuration = GatewayConfiguration(jwtSecret: "unit-test-secret")
        configure(&configuration)
        let app = try buildApplication(
            store: store, notifier: InboxNotifier(feed: InMemoryInboxFeed(), logger: logger), configuration: configuration, logger: logger
        )
        try await app.test(.router, body)
    }

    static func token(_ userID: Int, roles: [String] = []) -> String {
        tokens.sign(userID: userID, expiresAt: Date().addingTimeInterval(3600), roles: roles)
    }

    static func statusChange(_ recipients: [Int], extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "title": "Call the customer", "trigger_type": "status_change", "trigger_config": ["target_status": "i_gang"],
            "recipient_user_ids": recipients,
        ]
        body.merge(extra) { _, new in new }
        return body
    }

    @Test("a created reminder answers 201 with its Location, and reads back from there")
    func createAndRead() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await Self.withGateway(store) { client in
            let created = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([alice]))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            #expect(created.headers[.location] == "/api/v1/sag/reminders/\(id)")

            let read = try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Self.token(alice))
            #expect(read.status == .ok)
            #expect(read.object["title"] as? String == "Call the customer")
            #expect(read.object["sag_id"] as? Int == sag)
            #expect(read.object["recipient_user_ids"] as? [Int] == [alice])
            #expect(read.object["created_by_user_id"] as? Int == alice)
            #expect((read.object["trigger_config"] as? [String: Any])?["target_status"] as? String == "i_gang")
        }
        #expect(store.storedReminders.map(\.createdByUserID) == [alice])
    }

    @Test("a recipient who is no user, or a deactivated one, is a 422 naming its place in recipient_user_ids")
    func unknownRecipient() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let gone = store.addUser(active: false)
        let sag = store.addCase()
        try await Self.withGateway(store) { client in
            let unknown = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([alice, 999_999])
            )
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            #expect(unknown.object["type"] as? String == "urn:case-reminders:problem:validation-failed")
            #expect(unknown.object["field"] as? String == "recipient_user_ids[1]")
            #expect(unknown.object["detail"] as? String == "there is no user 999999")

            let deactivated = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([gone, alice])
            )
            #expect(deactivated.status == .unprocessableContent)
            #expect(deactivated.object["field"] as? String == "recipient_user_ids[0]")
            #expect(deactivated.object["detail"] as? String == "user \(gone) is deactivated")
        }
        #expect(store.storedReminders.isEmpty)
    }

    @Test("over the creation quota is a 429 whose Retry-After is when the oldest creation leaves the hour")
    func creationQuota() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let bob = store.addUser()
        let sag = store.addCase()
        try await Self.withGateway(store, configure: { $0.maximumRemindersCreatedPerHour = 2 }) { client in
            for _ in 0..<2 {
                let created = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([alice]))
                #expect(created.status == .created)
            }
            store.advanceClock(by: 600)
            let third = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([alice]))
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.contentType] == "application/problem+json")
            #expect(third.headers[.retryAfter] == "3000")
            #expect(third.object["type"] as? String == "urn:case-reminders:problem:quota-exceeded")
            #expect(third.object["detail"] as? String
                == "you created 2 reminders in the last hour; the limit is 2 (REMINDERS_MAX_CREATED_PER_HOUR)")
            #expect(third.object["field"] == nil)

            let others = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Self.token(bob), json: Self.statusChange([bob]))
            #expect(others.status == .created)
        }
        #expect(store.storedReminders.count == 3)
    }

    @Test("someone on the case who is not involved reads a reminder and its log without private fields, and cannot change it")
    func redactionForOthers() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let bob = store.addUser()
        let admin = store.addUser()
        let sag = store.addCase()
        try await Self.withGateway(store) { client in
            let created = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice),
                json: Self.statusChange([alice], extra: ["recipient_emails": ["partner@example.test"]])
            )
            let id = try #require(created.object["id"] as? Int)
            store.addLog(
                reminderID: id, userID: alice, recipientEmail: "alice.private@example.test", status: "failed",
                reason: "sent to alice.private@example.test", errorMessage: "550 alice.private@example.test unknown"
            )

            let asBob = try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Self.token(bob))
            #expect(asBob.status == .ok)
            #expect((asBob.object["recipient_emails"] as? [Any])?.isEmpty == true)
            #expect(asBob.object["redacted_fields"] as? [String] == ["recipient_emails"])
            let listed = try await client.send(.get, "/api/v1/sag/\(sag)/reminders", token: Self.token(bob))
            #expect(listed.status == .ok)
            #expect(listed.text.contains("\"id\":\(id)"), "\(listed.text)")
            #expect(!listed.text.contains("partner@example.test"))
            let logs = try await client.send(.get, "/api/v1/sag/reminders/\(id)/logs", token: Self.token(bob))
            #expect(logs.status == .ok)
            #expect(logs.object["redacted"] as? Bool == true)
            #expect((logs.object["items"] as? [Any])?.count == 1)
            #expect(!logs.text.contains("alice.private"), "\(logs.text)")
            let patch = try await client.send(.patch, "/api/v1/sag/reminders/\(id)", token: Self.token(bob), json: ["title": "Mine now"])
            #expect(patch.status == .forbidden)

            for (who, token) in [("creator", Self.token(alice)), ("administrator", Self.token(admin, roles: ["admin"]))] {
                let read = try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: token)
                #expect(read.object["recipient_emails"] as? [String] == ["partner@example.test"], "\(who)")
                #expect((read.object["redacted_fields"] as? [Any])?.isEmpty == true, "\(who)")
                let log = try await client.send(.get, "/api/v1/sag/reminders/\(id)/logs", token: token)
                #expect(log.object["redacted"] as? Bool == false, "\(who)")
                #expect(log.text.contains("550 alice.private@example.test unknown"), "\(who)")
            }
        }
        #expect(store.storedReminders.first?.draft.title == "Call the customer")
    }

    @Test("a case the host's rule closes to the caller is a 404 for its list, its reminders and new ones")
    func refusedCase() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let bob = store.addUser()
        let sag = store.addCase()
        try await Self.withGateway(store) { client in
            let created = try await client.send(
                .post, "/api/v1/sag/\(sag)/reminders", token: Self.token(alice), json: Self.statusChange([alice, bob])
            )
            let id = try #require(created.object["id"] as? Int)
            #expect(try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Self.token(bob)).status == .ok)
            store.closeCase(sag, to: bob)

            let list = try await client.send(.get, "/api/v1/sag/\(sag)/reminders", token: Self.token(bob))
            #expect(list.status == .notFound)
            #expect(list.object["field"] as? String == "sag_id")
            let read = try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Self.token(bob))
            #expect(read.status == .notFound)
            #expect(read.object["field"] as? String == "reminder_id")
            #expect(!read.text.contains("Call the customer"))
            let create = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: Self.token(bob), json: Self.statusChange([bob]))
            #expect(create.status == .notFound)
            let dismiss = try await client.send(.post, "/api/v1/sag/reminders/\(id)/dismiss", token: Self.token(bob))
            #expect(dismiss.status == .notFound)

            #expect(try await client.send(.get, "/api/v1/sag/reminders/\(id)", token: Self.token(alice)).status == .ok)
        }
        #expect(store.storedReminders.count == 1)
    }
}

/// A response with its body as text, read as JSON where it is.
struct TestResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            headers[.contentType] = "application/json"
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            TestResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }
}
