import Curl
import Foundation
import IntegrationSupport
import Kafka
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

/// The webhook worker against the HTTP sink, which checks every signature itself (with the
/// `standardwebhooks` package when installed, and with Python's `hmac`).
@Suite("Webhook worker against the signature-checking HTTP sink", .timeLimit(.minutes(2)))
struct DeliveryWebhookTests {
    static let key = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()

    /// A subscription on the bench's case pointing at `url`, stored as the gateway stores it.
    static func subscribe(_ bench: DeliveryBench, url: String, secret: WebhookSecret, sagID: Int? = nil) async throws -> UUID {
        let box = try WebhookSecretBox(base64Key: key)
        let id = UUID()
        _ = try await PostgresGatewayStore(postgres: bench.postgres).createWebhook(
            id: id, sagID: sagID ?? bench.sagID, url: url, sealedSecret: try box.seal(secret, for: id), description: nil, createdBy: bench.userID, limit: 20
        )
        return id
    }

    /// The webhook delivery the dispatcher would plan for `subscription`.
    static func delivery(_ bench: DeliveryBench, subscription: UUID) -> Delivery {
        var plan = DispatchPlan()
        let firing = FiredEvent(eventID: UUID(), eventType: .timeBased, reminderID: bench.reminderID, sagID: bench.sagID, occurredAt: Date())
        let reminder = ReminderSnapshot(
            id: bench.reminderID, sagID: bench.sagID, caseTitle: "Test case", title: "Ring til kunden", message: "Husk at følge op",
            priority: .high, channelFlags: .init(email: nil, mattermost: nil, frontend: nil), overrideUserPreferences: false,
            recipientUserIDs: [bench.userID], recipientEmails: []
        )
        DispatchPlanner(rateLimit: RateLimitWindow(limit: 5)).addWebhooks(to: &plan, event: firing, reminder: reminder, subscriptions: [subscription])
        return plan.deliveries[0]
    }

    static func sender(_ bench: DeliveryBench, allowLoopback: Bool = true, resolve: (@Sendable (String) async throws -> [[UInt8]])? = nil) throws -> WebhookSender {
        WebhookSender(
            targets: PostgresWebhookTargets(postgres: bench.postgres), secrets: try WebhookSecretBox(base64Key: key),
            publicBaseURL: "https://hub.example.test", allowLoopback: allowLoopback,
            resolve: resolve ?? { host in try await HostResolver.addresses(of: host) }
        )
    }

    /// An HTTP sink that answers with `script` (then 200) and checks every signature against
    /// a new subscription's secret, a bench, and the delivery to that subscription (at `url`,
    /// by default the sink's `/in`) already enqueued.
    static func withSignedDelivery(
        script: String? = nil, url: @escaping @Sendable (HTTPSink) -> String = { $0.baseURL + "/in" },
        _ body: @Sendable @escaping (HTTPSink, DeliveryBench, WebhookSecret, Delivery) async throws -> Void
    ) async throws {
        try await withHTTPSink { sink in
            if let script { try await sink.setScript(script) }
            try await DeliveryBench.with(channels: [.webhook]) { bench in
                let secret = WebhookSecret.generate()
                try await sink.checkWebhookSignatures(secret: secret.text)
                let delivery = Self.delivery(bench, subscription: try await Self.subscribe(bench, url: url(sink), secret: secret))
                try await bench.enqueue([delivery])
                try await body(sink, bench, secret, delivery)
            }
        }
    }

    /// Waits (bounded) until `delivery` is dead, expects that it is, and returns its log.
    @discardableResult
    static func expectDead(_ bench: DeliveryBench, _ delivery: Delivery) async throws -> [DeliveryLogRow] {
        let dead = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            try await bench.status(of: delivery.deliveryID) == "dead"
        }
        let log = try await bench.log(of: delivery.deliveryID)
        #expect(dead, "\(log)")
        return log
    }

    /// Waits (bounded) until `delivery` is logged sent once, and expects that it was.
    static func expectSent(_ bench: DeliveryBench, _ delivery: Delivery) async throws {
        let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            try await bench.logCount(delivery.deliveryID, "sent") == 1
        }
        let log = try await bench.log(of: delivery.deliveryID)
        #expect(sent, "\(log)")
    }

    @Test("a firing reaches the subscription as one signed JSON event the sink verifies independently")
    func signedEvent() async throws {
        try await Self.withSignedDelivery(url: { $0.baseURL + "/hooks/crm?x=1" }) { sink, bench, secret, delivery in
            try await bench.run([bench.worker(bench.configuration(.webhook), sender: try Self.sender(bench))]) {
                try await Self.expectSent(bench, delivery)
            }
            let requests = try await sink.requests()
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/hooks/crm?x=1")
            #expect(request.header("Content-Type") == "application/json")
            let id = try #require(request.header("webhook-id"))
            #expect(id == WebhookSignature.messageID(deliveryID: delivery.deliveryID))
            let timestamp = try #require(request.header("webhook-timestamp").flatMap { Int64($0) })
            #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 120)
            #expect(request.header("webhook-signature")?.hasPrefix("v1,") == true)
            let check = try #require(request.webhook_signature)
            #expect(check.hmac, "Python hmac rejects the signature")
            #expect(check.standardwebhooks != false, "the standardwebhooks package rejects the signature")
            #expect(WebhookSignature.verify(
                secret: secret, id: id, timestamp: timestamp, body: request.bodyBytes, header: request.header("webhook-signature") ?? ""
            ))
            let event = try #require(try JSONSerialization.jsonObject(with: Data(request.bodyBytes)) as? [String: Any])
            #expect(event["id"] as? String == id)
            #expect(event["type"] as? String == "reminder.fired")
            #expect(event["timestamp"] is String)
            let data = try #require(event["data"] as? [String: Any])
            #expect(data["reminder_id"] as? Int == bench.reminderID)
            #expect(data["sag_id"] as? Int == bench.sagID)
            #expect(data["title"] as? String == "Ring til kunden")
            #expect(data["fired_event_id"] as? String == delivery.firedEventID.uuidString.lowercased())
            #expect(try await bench.status(of: delivery.deliveryID) == "sent")
            // The secret is in no log row.
            let logged = try await bench.log(of: delivery.deliveryID).map { "\($0.reason ?? "") \($0.error ?? "") \($0.payload ?? "")" }.joined()
            #expect(!logged.contains(String(secret.text.dropFirst(6))))
        }
    }

    @Test("500, then 200: retried with the same webhook-id and body, each attempt freshly signed and valid")
    func retryKeepsID() async throws {
        try await Self.withSignedDelivery(script: #"[{"status": 500, "body": "oops"}]"#) { sink, bench, _, delivery in
            try await bench.run([bench.worker(bench.configuration(.webhook), sender: try Self.sender(bench))]) {
                try await Self.expectSent(bench, delivery)
            }
            let requests = try await sink.requests()
            try #require(requests.count == 2)
            #expect(requests[0].header("webhook-id") == requests[1].header("webhook-id"))
            #expect(requests[0].bodyBytes == requests[1].bodyBytes)
            #expect(requests.allSatisfy { $0.webhook_signature?.hmac == true && $0.webhook_signature?.standardwebhooks != false })
            #expect(try await bench.log(of: delivery.deliveryID).map(\.status) == ["retrying", "sent"])
        }
    }

    @Test("a 400 is parked on the webhook dead-letter topic; a replay delivers it with the same webhook-id")
    func deadLetterAndReplay() async throws {
        try await Self.withSignedDelivery(script: #"[{"status": 400, "body": "no"}]"#) { sink, bench, _, delivery in
            try await bench.run([bench.worker(bench.configuration(.webhook), sender: try Self.sender(bench))]) {
                try await Self.expectDead(bench, delivery)
                let parked = try await DeadLetterReader(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.dlq"))
                    .read(topic: bench.topicPrefix + TopicName.deadLetter(of: TopicName.deliverWebhook), firstMessageTimeout: .seconds(15))
                try #require(parked.count == 1)
                #expect(parked[0].letter?.reason.contains("400") == true)
                let outcome = try await DeadLetterReplayer(repository: PostgresDeliveryRepository(postgres: bench.postgres), topicPrefix: bench.topicPrefix)
                    .replay(parked[0])
                #expect(outcome != .alreadyReplayed)
                try await Self.expectSent(bench, delivery)
            }
            let requests = try await sink.requests()
            try #require(requests.count == 2)
            #expect(requests[0].header("webhook-id") == requests[1].header("webhook-id"))
            #expect(requests[1].webhook_signature?.hmac == true)
        }
    }

    @Test("410 Gone: the delivery is dead, the subscription is deleted, and the next delivery to it calls nothing")
    func goneDeletesSubscription() async throws {
        try await Self.withSignedDelivery(script: #"[{"status": 410, "body": "gone"}]"#) { sink, bench, _, delivery in
            try await bench.run([bench.worker(bench.configuration(.webhook), sender: try Self.sender(bench))]) {
                let log = try await Self.expectDead(bench, delivery)
                #expect(log.last?.error?.contains("410 Gone") == true, "\(log)")
                let subscription = try #require(delivery.webhookSubscriptionID)
                #expect(try await PostgresWebhookTargets(postgres: bench.postgres).webhookTarget(subscription) == nil)

                // The next firing's delivery to it is not sent.
                let next = Self.delivery(bench, subscription: subscription)
                try await bench.enqueue([next])
                #expect(try await Self.expectDead(bench, next).last?.error?.contains("was deleted") == true)
            }
            #expect(try await sink.requests().count == 1)
        }
    }

    @Test("dry run renders the event into the log and calls nothing")
    func dryRun() async throws {
        try await withHTTPSink { sink in
            try await DeliveryBench.with(channels: [.webhook]) { bench in
                let delivery = Self.delivery(bench, subscription: try await Self.subscribe(bench, url: sink.baseURL + "/in", secret: .generate()))
                var configuration = bench.configuration(.webhook)
                configuration.dryRun = true
                try await bench.enqueue([delivery])
                try await bench.run([bench.worker(configuration, sender: try Self.sender(bench))]) {
                    let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "dry_run") == 1
                    }
                    #expect(done)
                }
                #expect(try await sink.requests().isEmpty)
                let payload = try await bench.log(of: delivery.deliveryID).first?.payload ?? ""
                #expect(payload.contains("reminder.fired"))
                #expect(payload.contains(WebhookSignature.messageID(deliveryID: delivery.deliveryID)))
            }
        }
    }

    @Test("at send time: a loopback target without the test allowance, and a deleted subscription, fail for good and call nothing")
    func refusedAtSendTime() async throws {
        try await withHTTPSink { sink in
            try await DeliveryBench.with(channels: [.webhook]) { bench in
                let loopback = Self.delivery(bench, subscription: try await Self.subscribe(bench, url: sink.baseURL + "/in", secret: .generate()))
                let deletedID = try await Self.subscribe(bench, url: sink.baseURL + "/gone", secret: .generate())
                let deleted = Self.delivery(bench, subscription: deletedID)
                #expect(try await PostgresGatewayStore(postgres: bench.postgres).deleteWebhook(deletedID))
                // A name that a resolver rebinds to the metadata address after the subscription was made.
                let rebound = Self.delivery(bench, subscription: try await Self.subscribe(bench, url: "https://rebound.example.test/in", secret: .generate()))
                try await bench.enqueue([loopback, deleted, rebound])
                let sender = try Self.sender(bench, allowLoopback: false) { host in
                    host == "rebound.example.test" ? [[169, 254, 169, 254]] : try await HostResolver.addresses(of: host)
                }
                try await bench.run([bench.worker(bench.configuration(.webhook), sender: sender)]) {
                    let dead = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        var all = true
                        for delivery in [loopback, deleted, rebound] { all = try await bench.status(of: delivery.deliveryID) == "dead" && all }
                        return all
                    }
                    #expect(dead)
                }
                #expect(try await sink.requests().isEmpty)
                #expect(try await Self.failure(bench, loopback).contains("loopback"))
                #expect(try await Self.failure(bench, deleted).contains("deleted"))
                #expect(try await Self.failure(bench, rebound).contains("169.254.0.0/16"))
            }
        }
    }

    /// The reason and error of a delivery's last log row.
    static func failure(_ bench: DeliveryBench, _ delivery: Delivery) async throws -> String {
        let last = try await bench.log(of: delivery.deliveryID).last
        return "\(last?.reason ?? "") \(last?.error ?? "")"
    }

    @Test("the connection goes to the address checked: a host name pinned to the sink reaches it, with its Host header")
    func pinnedAddress() async throws {
        // No DNS knows this name: only the pin can carry the call to the sink.
        try await Self.withSignedDelivery(url: { "http://pinned.example.test:\($0.process.port)/in" }) { sink, bench, _, delivery in
            let sender = try Self.sender(bench) { _ in [[127, 0, 0, 1]] }
            try await bench.run([bench.worker(bench.configuration(.webhook), sender: sender)]) {
                try await Self.expectSent(bench, delivery)
            }
            let requests = try await sink.requests()
            try #require(requests.count == 1)
            #expect(requests[0].header("Host") == "pinned.example.test:\(sink.process.port)")
            #expect(requests[0].webhook_signature?.hmac == true)
        }
    }
}
