import ArgumentParser
import Curl
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore

/// Messages per second one delivery worker sends from a full channel topic:
/// e-mail to Postfix's `smtp-sink`, Mattermost posts to nginx answering 200.
struct DeliveryThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery-throughput",
        abstract: "E-mails/s to smtp-sink or webhook posts/s to nginx, one worker draining a full topic."
    )

    @Option(help: "email or mattermost.") var channel = "email"
    @Option(help: "Deliveries on the topic per run.") var messages = 2000
    @Option(help: "Runs; the median is reported.") var runs = 3
    @Option(help: "The most messages handled in one transaction (DELIVERY_BATCH_SIZE).") var batchSize = 200
    @Option(help: "Batches in flight (DELIVERY_BATCHES_IN_FLIGHT).") var batchesInFlight = 2
    @Option(help: "Sends in flight: SMTP sessions or HTTP connections (DELIVERY_CONCURRENCY).") var concurrency = 16
    @Option(help: "Sends waiting per slot opened (DELIVERY_CONCURRENCY_STEP).") var concurrencyStep = 32
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        guard let channel = Channel(rawValue: channel), let topic = channel.deliveryTopic else {
            throw ValidationError("--channel must be email or mattermost")
        }
        var rates: [Double] = []
        for run in 1...runs {
            let server = try await DeliveryTarget.start(for: channel, concurrency: concurrency)
            defer { server.stop() }
            try await BenchDatabase.with(migrationsDirectory: migrations) { database in
                let result = try await measure(channel: channel, topic: topic, server: server, database: database)
                rates.append(result.rate)
                report("run \(run): \(messages) \(channel.rawValue) deliveries sent in \(format(result.seconds, 2)) s: \(format(result.rate, 0)) messages/s (first → last sent; \(format(result.wallSeconds, 2)) s from worker start) [load \(loadAverage())]")
                report("  alone, same \(messages) messages one at a time: sender \(format(result.sendMilliseconds, 3)) ms/message, recording (claim + record) \(format(result.recordMilliseconds, 3)) ms/message")
            }
        }
        report("delivery throughput (\(channel.rawValue)): median \(format(Summary(rates).median, 0)) messages/s over \(runs) runs of \(messages) [load \(loadAverage())]")
    }

    private struct RunResult {
        var rate: Double
        var seconds: Double
        var wallSeconds: Double
        var sendMilliseconds: Double
        var recordMilliseconds: Double
    }

    private func measure(channel: Channel, topic: String, server: DeliveryTarget, database: BenchDatabase) async throws -> RunResult {
        let prefix = "bench-dlv-" + String(UUID().uuidString.lowercased().prefix(8)) + "."
        let messages = self.messages
        let batchSize = self.batchSize
        let batchesInFlight = self.batchesInFlight
        let concurrency = self.concurrency
        return try await database.withClient(maxConnections: 8, planning: PostgresDeliveryRepository.statementPlanning) { postgres in
            let fixtures = BenchmarkFixtures(postgres: postgres)
            let fixture = try await DeliveryFixture.create(fixtures)
            let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokerAddress, logger: quietLogger)
            _ = try await admin.createTopics(
                [KafkaTopicSpecification(name: prefix + topic, partitions: 8),
                 KafkaTopicSpecification(name: prefix + TopicName.deadLetter(of: topic), partitions: 1)],
                timeout: .seconds(30)
            )
            let deliveries = (0..<messages).map { fixture.delivery(channel, index: $0) }
            try await fixture.enqueue(deliveries, postgres: postgres)
            try await drainOutbox(postgres, url: database.url, prefix: prefix)

            var configuration = DeliveryWorkerConfiguration(channel: channel)
            configuration.enabled = true
            configuration.dryRun = false
            configuration.batchSize = batchSize
            configuration.batchesInFlight = batchesInFlight
            configuration.sendsInFlight = concurrency
            configuration.sendsPerSlot = concurrencyStep
            let worker = DeliveryWorker(
                repository: PostgresDeliveryRepository(postgres: postgres),
                sender: server.sender,
                consumerConfiguration: KafkaConsumerConfiguration(
                    bootstrapServers: brokerAddress, groupID: prefix + configuration.groupID, topics: [prefix + topic]
                ),
                configuration: configuration,
                logger: quietLogger
            )
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                defer { group.cancelAll() }
                let deadline = ContinuousClock.now + .seconds(Int64(60 + messages / 20))
                while try await fixtures.sentDeliveries() < messages {
                    if ContinuousClock.now > deadline {
                        let other = try await fixtures.unsentDeliveries()
                        throw BenchSetupError("not all sent within the time allowed (\(other) deliveries in another state)")
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let wall = (ContinuousClock.now - start).seconds
            // The worker stamps each log row with the time its send returned, so the span
            // of the sent rows leaves out the consumer's group join before the first one.
            let span = try await fixtures.sentLogSpanSeconds()

            // The two halves of handling a message, each alone, on the same messages.
            let sendStart = ContinuousClock.now
            for delivery in deliveries {
                let outcome = try await server.sender.send(try server.sender.render(delivery))
                guard case .delivered = outcome else { throw BenchSetupError("the sink refused a message: \(outcome)") }
            }
            let sendMilliseconds = (ContinuousClock.now - sendStart).seconds * 1000 / Double(messages)
            let repository = PostgresDeliveryRepository(postgres: postgres)
            // Fresh ids, so each record writes as the worker did (an id already sent is refused early).
            let replays = (0..<messages).map { fixture.delivery(channel, index: messages + $0) }
            let recordStart = ContinuousClock.now
            for delivery in replays {
                _ = try await repository.record([DeliveryRecord(delivery: delivery, result: .sent(messageID: nil))], now: Date())
            }
            let recordMilliseconds = (ContinuousClock.now - recordStart).seconds * 1000 / Double(messages)
            return RunResult(
                rate: Double(messages - 1) / span, seconds: span, wallSeconds: wall,
                sendMilliseconds: sendMilliseconds, recordMilliseconds: recordMilliseconds
            )
        }
    }

    /// Runs the relay until every outbox row is on its topic: the topic is full before the worker starts.
    private func drainOutbox(_ postgres: PostgresClient, url: String, prefix: String) async throws {
        let relay = OutboxRelay.forBenchmark(
            postgres: postgres, databaseURL: url, topicPrefix: prefix,
            producerConfiguration: KafkaProducerConfiguration(bootstrapServers: brokerAddress), logger: quietLogger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            defer { group.cancelAll() }
            while try await BenchmarkFixtures(postgres: postgres).unpublishedOutboxRows() > 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// A user, a case and a reminder to hang deliveries on, and the deliveries themselves.
struct DeliveryFixture: Sendable {
    let userID: Int
    let sagID: Int
    let reminderID: Int

    static func create(_ fixtures: BenchmarkFixtures) async throws -> DeliveryFixture {
        let user = try await fixtures.addUser(name: "bench", email: "bench@example.test")
        let sag = try await fixtures.addCase(title: "Bench case")
        let reminder = try await fixtures.addProgressReminder(sagID: sag, userID: user)
        return DeliveryFixture(userID: user, sagID: sag, reminderID: reminder)
    }

    /// The `index`th delivery of the run (the same id each time it is asked for).
    func delivery(_ channel: Channel, index: Int) -> Delivery {
        let fired = UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", index))!
        return Delivery(
            eventID: UUID(), deliveryID: "\(fired.uuidString.lowercased()):user:\(userID):\(channel.rawValue)", firedEventID: fired,
            reminderID: reminderID, sagID: sagID, caseTitle: "Bench case", channel: channel, recipientUserID: userID,
            recipientEmail: nil, toAddress: channel == .email ? "bench@example.test" : nil, mattermostUsername: nil,
            title: "Ring til kunden", message: "Husk at følge op (\(index))", priority: .high, notBefore: nil
        )
    }

    /// Writes deliveries to the outbox, as the dispatcher does.
    func enqueue(_ deliveries: [Delivery], postgres: PostgresClient) async throws {
        for start in stride(from: 0, to: deliveries.count, by: 1000) {
            try await DeliveryOutbox.insert(Array(deliveries[start..<min(start + 1000, deliveries.count)]), through: postgres)
        }
    }
}

/// What a channel's worker sends to: Postfix's `smtp-sink` for e-mail, nginx
/// answering 200 to every request for Mattermost; each a child process on a
/// free loopback port, with the sender pointed at it.
struct DeliveryTarget: Sendable {
    let process: ChildProcess
    let port: Int
    let sender: any DeliverySender
    private let folder: URL?

    static func start(for channel: Channel, concurrency: Int = 1) async throws -> DeliveryTarget {
        let port = try freeLoopbackPort()
        switch channel {
        case .email:
            guard let sink = findExecutable(ProcessInfo.processInfo.environment["SMTP_SINK"] ?? "smtp-sink") else {
                throw BenchSetupError("smtp-sink not found (Debian package postfix; scripts/bench.sh installs it)")
            }
            // Backlog 1000; nothing is stored, each message is answered 250.
            // As root, smtp-sink insists on a user to switch to once it listens.
            let user = geteuid() == 0 ? ["-u", ProcessInfo.processInfo.environment["SMTP_SINK_USER"] ?? "postfix"] : []
            let process = try ChildProcess(sink, user + ["127.0.0.1:\(port)", "1000"], name: "smtp-sink")
            try await waitForLoopbackPort(port, name: "smtp-sink", process: process)
            var smtp = SMTPConfiguration(host: "127.0.0.1", port: port)
            smtp.timeout = .seconds(5)
            smtp.maxConnections = concurrency
            let sender = EmailSender(
                smtp: smtp, sender: .init(name: "BMC Hub", address: "noreply@bmcnetworks.dk"),
                templates: try EmailTemplates.bundled(), publicBaseURL: "https://hub.example.test"
            )
            return DeliveryTarget(process: process, port: port, sender: sender, folder: nil)
        case .mattermost:
            guard let nginx = findExecutable(ProcessInfo.processInfo.environment["NGINX"] ?? "nginx") else {
                throw BenchSetupError("nginx not found (Debian package nginx-light; scripts/bench.sh installs it)")
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-nginx-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let configuration = """
                daemon off;
                master_process off;
                error_log stderr;
                pid \(folder.path)/nginx.pid;
                events {}
                http {
                    access_log off;
                    client_body_temp_path \(folder.path)/body;
                    keepalive_requests 1000000;
                    server {
                        listen 127.0.0.1:\(port);
                        location / { return 200 '{}'; }
                    }
                }
                """
            let file = folder.appendingPathComponent("nginx.conf")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            let process = try ChildProcess(nginx, ["-p", folder.path, "-c", file.path], name: "nginx")
            try await waitForLoopbackPort(port, name: "nginx", process: process)
            let sender = MattermostSender(
                webhookURL: "http://127.0.0.1:\(port)/hooks/bench", publicBaseURL: "https://hub.example.test", concurrentRequests: concurrency
            )
            return DeliveryTarget(process: process, port: port, sender: sender, folder: folder)
        case .frontend:
            throw BenchSetupError("the in-app channel sends nothing over the network")
        case .webhook:
            throw BenchSetupError("the webhook channel is not benchmarked here (its targets come from the database)")
        }
    }

    func stop() {
        process.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}
