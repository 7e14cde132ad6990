import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import ReminderGateway
import Testing

/// A gateway on a database of its own, driven in-process.
struct GatewayHarness: Sendable {
    static let secret = "test-secret-" + TestEnvironment.uniqueSuffix()

    let database: TestDatabase
    let postgres: PostgresClient
    let notifier: InboxNotifier
    let recorder: RouteRecorder
    let tokens = JSONWebToken(secret: GatewayHarness.secret)

    /// Runs `body` with a gateway (demo routes on, short stream lifetime) in the given test mode.
    static func with<R: Sendable>(
        _ setup: TestingSetup = .router,
        streamLifetime: Duration = .seconds(2),
        heartbeat: Duration = .milliseconds(300),
        configure: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @Sendable @escaping (GatewayHarness, any TestClientProtocol) async throws -> R
    ) async throws -> R {
        try await TestDatabase.with { database, postgres in
            let logger = TestEnvironment.logger("test.gateway")
            let notifier = InboxNotifier(postgres: postgres, logger: logger)
            let recorder = RouteRecorder()
            var configuration = GatewayConfiguration(jwtSecret: secret)
            configuration.demoEnabled = true
            configuration.streamLifetime = streamLifetime
            configuration.heartbeatInterval = heartbeat
            configure(&configuration)
            let app = try buildApplication(
                postgres: postgres, configuration: configuration, logger: logger, notifier: notifier,
                runsPostgres: false, recorder: recorder
            )
            let harness = GatewayHarness(database: database, postgres: postgres, notifier: notifier, recorder: recorder)
            return try await app.test(setup) { client in
                #expect(await notifier.waitUntilListening(timeout: .seconds(10)))
                return try await body(harness, client)
            }
        }
    }

    func token(_ userID: Int, expiresIn seconds: TimeInterval = 3600, roles: [String] = []) -> String {
        tokens.sign(userID: userID, expiresAt: Date().addingTimeInterval(seconds), roles: roles)
    }

    func user(active: Bool = true) async throws -> Int {
        let id = try await Fixtures.user(postgres)
        if !active { try await postgres.query("UPDATE users SET is_active = FALSE WHERE user_id = $1", [id]) }
        return id
    }

    /// An inbox entry as the dispatcher writes it.
    @discardableResult
    func inboxEntry(reminder: Int, sag: Int, user: Int, title: String = "Reminder") async throws -> Int {
        try await postgres.query(
            """
            INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority, case_title)
            VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, 'Look at the case', 'high', 'Test case')
            RETURNING id
            """,
            ["delivery-" + UUID().uuidString, reminder, sag, user, title]
        )[0].decode("id")
    }
}

/// A response read as JSON.
struct JSONResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? [] }
    var contentType: String? { headers[.contentType] }
    /// The `field` of a problem document.
    var field: String? { object["field"] as? String }
    var isProblem: Bool { contentType == "application/problem+json" && object["status"] as? Int == Int(status.code) }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body (a string is sent as is).
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, headers: HTTPFields = [:]) async throws -> JSONResponse {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let text = json as? String {
            buffer = ByteBuffer(string: text)
        } else if let json {
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        if buffer != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: buffer) { response in
            JSONResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }
}

/// A status_change reminder created through the API; returns its id.
func createReminder(_ client: any TestClientProtocol, token: String, sag: Int, recipients: [Int], extra: [String: Any] = [:]) async throws -> Int {
    var body: [String: Any] = [
        "title": "Case entered In Progress", "message": "Case has moved", "priority": "high",
        "trigger_type": "status_change", "trigger_config": ["target_status": "i_gang"], "recipient_user_ids": recipients,
    ]
    body.merge(extra) { _, new in new }
    let response = try await client.call(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: body)
    #expect(response.status == .created, "\(response.text)")
    return try #require(response.object["id"] as? Int)
}
