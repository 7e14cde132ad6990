import Foundation
import IntegrationSupport
import Kafka
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

// Two minutes: the dead-letter test runs two commands that each wait up to 15 s for letters,
// then reads the letters again, which on a loaded machine came close to one minute.
@Suite("Mattermost worker against the HTTP sink", .timeLimit(.minutes(2)))
struct DeliveryMattermostTests {
    static func sender(_ sink: HTTPSink) -> MattermostSender {
        MattermostSender(webhookURL: sink.baseURL + "/hooks/abc123", publicBaseURL: "https://hub.example.test")
    }

    @Test("the webhook gets one JSON post: text with title, message, priority and case link; channel @username")
    func payloadShape() async throws {
        try await withHTTPSink { sink in
            try await DeliveryBench.with(channels: [.mattermost]) { bench in
                let delivery = bench.delivery(.mattermost, title: "Opfølgning på sag", mattermostUsername: "ann.h")
                try await bench.enqueue([delivery])
                try await bench.run([bench.worker(bench.configuration(.mattermost), sender: Self.sender(sink))]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    let log = try await bench.log(of: delivery.deliveryID)
                    #expect(sent, "\(log)")
                }
                let requests = try await sink.requests()
                try #require(requests.count == 1)
                #expect(requests[0].method == "POST")
                #expect(requests[0].path == "/hooks/abc123")
                #expect(requests[0].header("Content-Type") == "application/json")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].bodyBytes)) as? [String: Any])
                #expect(Set(object.keys) == ["text", "channel"])
                #expect(object["channel"] as? String == "@ann.h")
                let text = try #require(object["text"] as? String)
                #expect(text.contains("Opfølgning på sag"))
                #expect(text.contains("Husk at følge op"))
                #expect(text.contains("**Prioritet:** høj"))
                #expect(text.contains("(https://hub.example.test/sag/\(bench.sagID))"))
            }
        }
    }

    @Test("429 with Retry-After: the next attempt waits that long, then delivers")
    func retryAfterHonoured() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status": 429, "headers": {"Retry-After": "2"}, "body": "slow down"}]"#)
            try await DeliveryBench.with(channels: [.mattermost]) { bench in
                let delivery = bench.delivery(.mattermost)
                try await bench.enqueue([delivery])
                try await bench.run([bench.worker(bench.configuration(.mattermost), sender: Self.sender(sink))]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    #expect(sent)
                }
                let requests = try await sink.requests()
                try #require(requests.count == 2)
                let gap = try #require(requests[1].received_at) - (try #require(requests[0].received_at))
                // Our own backoff would have been 0.1–0.2 s.
                #expect(gap >= 2.0, "retried after \(gap) s")
                #expect(gap < 6.0, "retried after \(gap) s")
                #expect(try await bench.log(of: delivery.deliveryID).map(\.status) == ["retrying", "sent"])
            }
        }
    }

    @Test("500 twice, then 200: delivered exactly once, each failure logged as retrying")
    func serverErrorsThenSuccess() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status": 500, "body": "oops"}, {"status": 502, "body": "bad gateway"}]"#)
            try await DeliveryBench.with(channels: [.mattermost]) { bench in
                let delivery = bench.delivery(.mattermost)
                let other = bench.delivery(.mattermost, title: "Another")
                try await bench.enqueue([delivery, other])
                try await bench.run([bench.worker(bench.configuration(.mattermost), sender: Self.sender(sink))]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        let first = try await bench.logCount(delivery.deliveryID, "sent")
                        let second = try await bench.logCount(other.deliveryID, "sent")
                        return first == 1 && second == 1
                    }
                    #expect(sent)
                }
                let requests = try await sink.requests()
                #expect(requests.count == 4)
                let rows = try await bench.log(of: delivery.deliveryID) + bench.log(of: other.deliveryID)
                #expect(rows.filter { $0.status == "sent" }.count == 2)
                #expect(rows.filter { $0.status == "retrying" }.count == 2)
                #expect(rows.filter { $0.status == "retrying" }.allSatisfy { $0.error?.contains("webhook answered 50") == true })
            }
        }
    }

    @Test("400: dead letter with the reason, logged failed; `dead-letters list` shows it and `replay` delivers it once")
    func permanentFailureAndReplay() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status": 400, "body": "Unable to find the channel"}]"#)
            try await DeliveryBench.with(channels: [.mattermost]) { bench in
                let delivery = bench.delivery(.mattermost)
                try await bench.enqueue([delivery])
                try await bench.run([bench.worker(bench.configuration(.mattermost), sender: Self.sender(sink))]) {
                    let failed = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "failed") == 1
                    }
                    #expect(failed)
                    let row = try #require(try await bench.log(of: delivery.deliveryID).first { $0.status == "failed" })
                    #expect(row.reason?.contains("webhook answered 400: Unable to find the channel") == true)
                    #expect(try await bench.status(of: delivery.deliveryID) == "dead")

                    let environment = [
                        "DATABASE_URL": bench.database.url, "KAFKA_TOPIC_PREFIX": bench.topicPrefix, "LOG_LEVEL": "warning",
                    ]
                    let list = try ChildProcess(
                        executable: TestEnvironment.remindersBinary,
                        arguments: ["dead-letters", "list", "--topic", TopicName.deliverMattermost, "--wait", "15"],
                        environment: environment
                    )
                    #expect(await list.waitForExit(timeout: .seconds(40)) == 0, "\(list.outputText)")
                    let line = list.outputText.split(separator: "\n").first { $0.contains(delivery.eventID.uuidString.lowercased()) }
                    #expect(line?.contains("webhook answered 400") == true, "\(list.outputText)")

                    let replay = try ChildProcess(
                        executable: TestEnvironment.remindersBinary,
                        arguments: ["dead-letters", "replay", "--topic", TopicName.deliverMattermost, "--event-id", delivery.eventID.uuidString, "--wait", "15"],
                        environment: environment
                    )
                    #expect(await replay.waitForExit(timeout: .seconds(40)) == 0, "\(replay.outputText)")
                    #expect(replay.outputText.contains("replayed\t\(delivery.eventID.uuidString.lowercased())"), "\(replay.outputText)")

                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    let log = try await bench.log(of: delivery.deliveryID)
                    #expect(sent, "\(log)")

                    // The same letter is not replayed twice.
                    let parked = try await DeadLetterReader(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.dlq"))
                        .read(topic: bench.topicPrefix + TopicName.deadLetter(of: TopicName.deliverMattermost), firstMessageTimeout: .seconds(15))
                    try #require(parked.count == 1)
                    let again = try await DeadLetterReplayer(repository: PostgresDeliveryRepository(postgres: bench.postgres), topicPrefix: bench.topicPrefix)
                        .replay(parked[0])
                    #expect(again == .alreadyReplayed)
                }
                #expect(try await sink.requests().count == 2)
                #expect(try await bench.log(of: delivery.deliveryID).map(\.status) == ["failed", "sent"])
                #expect(try await bench.status(of: delivery.deliveryID) == "sent")
            }
        }
    }
}
