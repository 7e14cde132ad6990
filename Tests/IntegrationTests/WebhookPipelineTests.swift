import Curl
import Foundation
import IntegrationSupport
import Kafka
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

/// From a case's status change to a signed call at the subscriber: the status trigger, the
/// relay, the dispatcher and the webhook worker, in-process on a database and topics of the
/// test's own, with the signature-checking HTTP sink as the subscriber.
@Suite("Webhook channel end to end", .timeLimit(.minutes(2)))
struct WebhookPipelineTests {
    @Test("a status change reaches the case's and the global subscription once each, signed; another case's subscriber gets nothing")
    func statusChangeToSubscriber() async throws {
        try await withHTTPSink { sink in
            try await TestDatabase.with { database, postgres in
                let secret = WebhookSecret.generate()
                try await sink.checkWebhookSignatures(secret: secret.text)
                let key = Data((0..<32).map { UInt8(($0 * 7) % 256) }).base64EncodedString()
                let box = try WebhookSecretBox(base64Key: key)
                let store = PostgresGatewayStore(postgres: postgres)
                let user = try await Fixtures.user(postgres)
                let sag = try await Fixtures.caseRow(postgres)
                let quiet = try await Fixtures.caseRow(postgres)
                _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
                for (path, sagID) in [("/case", sag as Int?), ("/global", nil), ("/other", quiet)] {
                    let id = UUID()
                    _ = try await store.createWebhook(
                        id: id, sagID: sagID, url: sink.baseURL + path, sealedSecret: try box.seal(secret, for: id), description: nil, createdBy: user, limit: 20
                    )
                }

                let pipeline = Pipeline()
                var configuration = DeliveryWorkerConfiguration(channel: .webhook)
                configuration.enabled = true
                configuration.dryRun = false
                let worker = DeliveryWorker(
                    repository: PostgresDeliveryRepository(postgres: postgres),
                    sender: WebhookSender(
                        targets: PostgresWebhookTargets(postgres: postgres), secrets: box, publicBaseURL: "https://hub.example.test",
                        allowLoopback: true
                    ),
                    consumerConfiguration: KafkaConsumerConfiguration.testing(
                        groupID: pipeline.topicPrefix + configuration.groupID, topics: [pipeline.topicPrefix + TopicName.deliverWebhook]
                    ),
                    configuration: configuration,
                    logger: TestEnvironment.logger("test.worker.webhook")
                )
                try await pipeline.run(database: database, postgres: postgres) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await worker.run() }
                        defer { group.cancelAll() }
                        try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                        let arrived = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                            try await sink.requests().count >= 2
                        }
                        #expect(arrived)
                        // Both sends are recorded before the worker stops.
                        let recorded = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                            let rows = try await postgres.query(
                                "SELECT count(*) AS n FROM sag_reminder_deliveries WHERE channel = 'webhook' AND status = 'sent'"
                            )
                            return try rows[0].decode("n", as: Int.self) == 2
                        }
                        #expect(recorded)
                    }
                }
                let requests = try await sink.requests()
                #expect(requests.map(\.path).sorted() == ["/case", "/global"])
                #expect(Set(requests.compactMap { $0.header("webhook-id") }).count == 2)
                for request in requests {
                    #expect(request.webhook_signature?.hmac == true, "\(request.path)")
                    #expect(request.webhook_signature?.standardwebhooks != false, "\(request.path)")
                    let event = try #require(try JSONSerialization.jsonObject(with: Data(request.bodyBytes)) as? [String: Any])
                    #expect(event["type"] as? String == "reminder.fired")
                    #expect((event["data"] as? [String: Any])?["sag_id"] as? Int == sag)
                }
            }
        }
    }
}
