import Curl
import Foundation
import IntegrationSupport
import Kafka
import OutboxRelay
import Postgres
import ReminderAdmin
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Spawn

/// Delivery workers (and the relay that carries their retries) running
/// in-process on topics of the test's own, fed through the outbox as the
/// dispatcher feeds them.
struct DeliveryBench: Sendable {
    let database: TestDatabase
    let postgres: PostgresClient
    let topicPrefix = "test-dlv-" + TestEnvironment.uniqueSuffix() + "."
    let userID: Int
    let sagID: Int
    let reminderID: Int

    /// A database with a user, a case and a reminder, and this test's topics
    /// for `channels` (each delivery topic and its dead-letter topic).
    static func with<R: Sendable>(channels: [Channel], _ body: @Sendable (DeliveryBench) async throws -> R) async throws -> R {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], scheduledAt: Date().addingTimeInterval(86_400))
            let bench = DeliveryBench(database: database, postgres: postgres, userID: user, sagID: sag, reminderID: reminder)
            try await bench.createTopics(for: channels)
            return try await body(bench)
        }
    }

    func createTopics(for channels: [Channel]) async throws {
        let names = Set(channels.compactMap(\.deliveryTopic).flatMap { [$0, TopicName.deadLetter(of: $0)] })
        let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.admin"))
        try await TopicCreator(admin: admin, logger: TestEnvironment.logger("test.admin"))
            .createTopics(of: TopicCatalog(definitions: try TopicCatalog.load(fromDirectory: TestEnvironment.topicsDirectory)
                .definitions.filter { names.contains($0.name) }
                // Only the topics a test uses, one partition each: the shared
                // test broker keeps every topic of every run in memory and
                // slows down with each one.
                // Each test's deliveries share one key anyway.
                .map { definition in
                    var definition = definition
                    definition.partitions = 1
                    return definition
                }), prefix: topicPrefix)
    }

    /// A delivery for the bench's user.
    func delivery(
        _ channel: Channel, title: String = "Ring til kunden", toAddress: String? = "ann@example.test",
        mattermostUsername: String? = nil, index: Int = 0
    ) -> Delivery {
        let fired = UUID()
        return Delivery(
            eventID: UUID(), deliveryID: "\(fired.uuidString.lowercased()):user:\(userID):\(channel.rawValue)", firedEventID: fired,
            reminderID: reminderID, sagID: sagID, caseTitle: "Test case", channel: channel, recipientUserID: userID,
            recipientEmail: nil, toAddress: channel == .email ? toAddress : nil, mattermostUsername: mattermostUsername,
            title: title, message: "Husk at følge op (\(index))", priority: .high, notBefore: nil
        )
    }

    /// Writes deliveries to the outbox, as the dispatcher does.
    func enqueue(_ deliveries: [Delivery]) async throws {
        try await DeliveryOutbox.insert(deliveries, through: postgres)
    }

    /// A worker configuration for tests: sending on, fast retries.
    func configuration(_ channel: Channel) -> DeliveryWorkerConfiguration {
        var configuration = DeliveryWorkerConfiguration(channel: channel)
        configuration.enabled = true
        configuration.dryRun = false
        configuration.retryPolicy = RetryPolicy(maxAttempts: 8, baseDelay: 0.2, maxDelay: 1.5, maxRetryAfter: 30)
        return configuration
    }

    /// A worker in the channel's consumer group, or in `group` (workers in
    /// different groups each receive every message).
    func worker(_ configuration: DeliveryWorkerConfiguration, sender: (any DeliverySender)?, group: String? = nil) -> DeliveryWorker {
        DeliveryWorker(
            repository: PostgresDeliveryRepository(postgres: postgres),
            sender: sender,
            consumerConfiguration: KafkaConsumerConfiguration.testing(
                groupID: topicPrefix + (group ?? configuration.groupID), topics: configuration.channel.deliveryTopic.map { [topicPrefix + $0] } ?? []
            ),
            configuration: configuration,
            logger: TestEnvironment.logger("test.worker.\(configuration.channel.rawValue)")
        )
    }

    /// Runs the relay and `workers` while `body` runs.
    func run<R: Sendable>(_ workers: [DeliveryWorker], _ body: @Sendable () async throws -> R) async throws -> R {
        var relayConfiguration = OutboxRelayConfiguration()
        relayConfiguration.topicPrefix = topicPrefix
        relayConfiguration.pollInterval = .milliseconds(100)
        let relay = OutboxRelay(
            postgres: postgres, postgresConfiguration: database.configuration,
            producerConfiguration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBootstrapServers),
            configuration: relayConfiguration, logger: TestEnvironment.logger("test.relay")
        )
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await relay.run(); return nil }
            for worker in workers { group.addTask { try await worker.run(); return nil } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// The log rows of one delivery, oldest first.
    func log(of deliveryID: String) async throws -> [DeliveryLogRow] {
        let rows = try await postgres.query(
            """
            SELECT status, reason, error_message, attempt, channel, user_id, payload::text AS payload, created_at
              FROM sag_reminder_logs WHERE dedupe_key LIKE 'deliver:' || $1 || ':%' ORDER BY id
            """,
            [deliveryID]
        )
        return try rows.map { row in
            DeliveryLogRow(
                status: try row.decode("status"), reason: try row.decode("reason", as: String?.self),
                error: try row.decode("error_message", as: String?.self), attempt: try row.decode("attempt"),
                channel: try row.decode("channel", as: String?.self), userID: try row.decode("user_id", as: Int?.self),
                payload: try row.decode("payload", as: String?.self)
            )
        }
    }

    /// How many log rows of `status` the delivery has.
    func logCount(_ deliveryID: String, _ status: String) async throws -> Int {
        try await log(of: deliveryID).filter { $0.status == status }.count
    }

    func status(of deliveryID: String) async throws -> String? {
        try await postgres.query("SELECT status FROM sag_reminder_deliveries WHERE delivery_id = $1", [deliveryID]).first?.decode("status")
    }
}

struct DeliveryLogRow: Sendable {
    var status: String
    var reason: String?
    var error: String?
    var attempt: Int
    var channel: String?
    var userID: Int?
    var payload: String?

    var payloadJSON: JSONValue? {
        payload.flatMap { try? MessageCoding.decode(JSONValue.self, from: Array($0.utf8)) }
    }
}

/// What Python's e-mail package reads from a spooled message (`mime_inspect.py`).
struct InspectedEmail: Decodable {
    struct Part: Decodable {
        var content_type: String
        var charset: String?
        var transfer_encoding: String?
        var content: String
    }

    var from_name: String?
    var from_address: String?
    var to: String
    var subject: String
    var message_id: String
    var date: String
    var content_type: String
    var parts: [Part]
    var defects: [String]

    /// Parses `raw` with Python's `email` package; waits (bounded) without
    /// holding a thread of the cooperative pool while Python runs.
    static func inspect(_ raw: [UInt8]) async throws -> InspectedEmail {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString).eml")
        try Data(raw).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = try SpawnedProcess(
            executable: "/usr/bin/env",
            arguments: [SinkProcess.python, SinkProcess.supportDirectory.appendingPathComponent("mime_inspect.py").path, file.path],
            environment: ProcessInfo.processInfo.environment, standardError: .discarded
        )
        guard await process.waitForExit(timeout: .seconds(60)) != nil else {
            throw TestSetupError("mime_inspect.py did not finish within 60 s")
        }
        return try JSONDecoder().decode(InspectedEmail.self, from: process.output)
    }
}

/// The `Message-ID` header of a raw message.
func messageIDHeader(of raw: [UInt8]) -> String? {
    let text = String(decoding: raw, as: UTF8.self)
    for line in text.components(separatedBy: "\r\n") {
        if line.isEmpty { return nil }
        if line.lowercased().hasPrefix("message-id:") {
            return line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
        }
    }
    return nil
}

/// A plain SMTP configuration for a local sink.
func plainSMTP(port: Int) -> SMTPConfiguration {
    var smtp = SMTPConfiguration(host: "127.0.0.1", port: port)
    smtp.timeout = .seconds(5)
    smtp.connectTimeout = .seconds(2)
    return smtp
}

func emailSender(_ smtp: SMTPConfiguration) throws -> EmailSender {
    EmailSender(
        smtp: smtp, sender: .init(name: "BMC Hub", address: "noreply@bmcnetworks.dk"),
        templates: try EmailTemplates.bundled(), publicBaseURL: "https://hub.example.test"
    )
}
