import Foundation
import Kafka
import Postgres
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Synchronization
import Testing

/// A message of any bytes at all — NUL, invalid UTF-8 — is parked by the
/// worker and by the dispatcher, listed, and replayed byte for byte.
@Suite("Dead letters keep the message's bytes", .timeLimit(.minutes(3)))
struct DeadLetterBytesTests {
    /// Neither JSON nor UTF-8: a NUL, a lone continuation byte, an overlong
    /// sequence, a truncated four-byte sequence, then valid text with a NUL.
    static let poison: [UInt8] = [0x7B, 0x00, 0x22, 0xFF, 0xFE, 0x80, 0xC0, 0xAF, 0xF0, 0x9F, 0x94] + Array("påmindelse\u{0}🔔".utf8)

    @Test("a delivery worker parks it; `dead-letters list` shows it; replay puts the very bytes back on the topic")
    func worker() async throws {
        try await DeliveryBench.with(channels: [.mattermost]) { bench in
            let eventID = "poison-" + TestEnvironment.uniqueSuffix()
            let topic = bench.topicPrefix + TopicName.deliverMattermost
            // Nothing readable arrives, so nothing is posted to the (absent) webhook.
            let sender = MattermostSender(webhookURL: "http://127.0.0.1:9/hooks/none", publicBaseURL: "https://hub.example.test", concurrentRequests: 1)
            try await bench.run([bench.worker(bench.configuration(.mattermost), sender: sender)]) {
                try await produce(Self.poison, topic: topic, key: "\(bench.userID)", eventID: eventID + "\u{0}\n")
                let parked = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                    try await count(bench.postgres, "sag_reminder_logs", where: "dedupe_key LIKE 'unreadable:%'") == 1
                }
                #expect(parked)

                let letters = try await DeadLetterReader(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.dlq"))
                    .read(topic: bench.topicPrefix + TopicName.deadLetter(of: TopicName.deliverMattermost), firstMessageTimeout: .seconds(15))
                try #require(letters.count == 1)
                let letter = try #require(letters[0].letter)
                #expect(letter.originalBytes == Self.poison)
                #expect(letter.originalValue?.utf8.contains(0) == false)
                #expect(letter.eventID == eventID + "\u{FFFD} ", "the header's NUL and line break are not stored as they came")
                #expect(letter.reason.contains("unreadable delivery"))
                #expect(!letter.reason.unicodeScalars.contains { $0.value < 0x20 })

                let environment = ["DATABASE_URL": bench.database.url, "KAFKA_TOPIC_PREFIX": bench.topicPrefix, "LOG_LEVEL": "warning"]
                let list = try await runReminders(
                    ["dead-letters", "list", "--topic", TopicName.deliverMattermost, "--wait", "15"], environment: environment
                )
                #expect(list.status == 0, "\(list.output)")
                let line = list.output.split(separator: "\n").first { $0.contains(eventID) }
                #expect(line?.contains("unreadable delivery") == true, "\(list.output)")
                #expect(line?.split(separator: "\t", omittingEmptySubsequences: false).count == 4, "\(list.output)")

                let outcome = try await DeadLetterReplayer(repository: PostgresDeliveryRepository(postgres: bench.postgres), topicPrefix: bench.topicPrefix)
                    .replay(letters[0])
                guard case .replayed(let newID, let replayedTopic) = outcome else {
                    Issue.record("not replayed: \(outcome)")
                    return
                }
                #expect(replayedTopic == TopicName.deliverMattermost)
                let replayed = try await firstValue(topic: topic, eventID: newID.uuidString.lowercased(), timeout: .seconds(30))
                #expect(replayed == Self.poison)
            }
        }
    }

    @Test("the dispatcher parks it with the same letter shape; replay puts the very bytes back on reminders.fired")
    func dispatcher() async throws {
        try await TestDatabase.with { database, postgres in
            let pipeline = Pipeline()
            let eventID = UUID().uuidString.lowercased()
            try await pipeline.run(database: database, postgres: postgres) {
                let topic = pipeline.topicPrefix + TopicName.fired
                try await produce(Self.poison, topic: topic, key: "1", eventID: eventID)
                let letters = try await eventuallyLetters(topic: pipeline.topicPrefix + TopicName.deadLetter(of: TopicName.fired))
                try #require(letters.count == 1)
                let letter = try #require(letters[0].letter)
                #expect(letter.eventID == eventID)
                #expect(letter.originalBytes == Self.poison)
                #expect(letter.originalValue?.utf8.contains(0) == false)
                #expect(letter.reason.contains("malformed fired event"))

                let outcome = try await DeadLetterReplayer(repository: PostgresDeliveryRepository(postgres: postgres), topicPrefix: pipeline.topicPrefix)
                    .replay(letters[0])
                guard case .replayed(let newID, _) = outcome else {
                    Issue.record("not replayed: \(outcome)")
                    return
                }
                let replayed = try await firstValue(topic: topic, eventID: newID.uuidString.lowercased(), timeout: .seconds(30))
                #expect(replayed == Self.poison)
                let row = try await postgres.query(
                    "SELECT payload #>> '{}' AS readable FROM reminder_outbox WHERE event_id = $1", [newID]
                )
                #expect(try row[0].decode("readable", as: String.self) == StoredText.readable(Self.poison), "the outbox row's readable copy")
            }
        }
    }

    /// The dead letters on `topic`, once there is one (read from the broker:
    /// the relay publishes the letter the dispatcher put in the outbox).
    private func eventuallyLetters(topic: String) async throws -> [ParkedMessage] {
        try await DeadLetterReader(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.dlq"))
            .read(topic: topic, firstMessageTimeout: .seconds(30))
    }
}

/// Sends `value` as it is to `topic`.
func produce(_ value: [UInt8], topic: String, key: String, eventID: String) async throws {
    let producer = try KafkaProducer.makeProducer(
        configuration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBootstrapServers),
        logger: TestEnvironment.logger("test.producer")
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await producer.run() }
        defer { group.cancelAll() }
        _ = try await producer.send(KafkaProducerMessage(
            topic: topic, key: Array(key.utf8), value: value, headers: [KafkaHeader(key: "event_id", string: eventID)]
        ))
    }
}

/// The value of the first message on `topic` whose `event_id` header is
/// `eventID`, read with a consumer group of its own; `nil` if none came in time.
func firstValue(topic: String, eventID: String, timeout: Duration) async throws -> [UInt8]? {
    var configuration = KafkaConsumerConfiguration.testing(groupID: "test-value-" + TestEnvironment.uniqueSuffix(), topics: [topic])
    configuration.autoOffsetReset = .earliest
    let consumer = try KafkaConsumer.makeConsumer(configuration: configuration, logger: TestEnvironment.logger("test.collector"))
    let found = FoundValue()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await consumer.run() }
        group.addTask { try await Task.sleep(for: timeout) }
        group.addTask {
            for try await message in consumer.messages where message.header("event_id") == eventID {
                found.set(message.value)
                return
            }
        }
        _ = try await group.next()
        group.cancelAll()
    }
    return found.value
}

/// What the reading task found, for the caller.
final class FoundValue: Sendable {
    private let found = Mutex<[UInt8]?>(nil)
    func set(_ value: [UInt8]) { found.withLock { $0 = value } }
    var value: [UInt8]? { found.withLock { $0 } }
}
