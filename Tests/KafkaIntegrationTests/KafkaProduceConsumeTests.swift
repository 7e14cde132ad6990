import Kafka
import ServiceLifecycle
import Testing

@Suite(.enabled(if: KafkaTestEnvironment.isConfigured, "KAFKA_BOOTSTRAP_SERVERS is not set"), .timeLimit(.minutes(1)))
struct KafkaProduceConsumeTests {
    struct Sent: Sendable {
        var key: String
        var sequence: Int
        var report: KafkaDeliveryReport
    }

    @Test func keyedMessagesWithHeadersArriveIntactAndInOrderPerKey() async throws {
        let topic = KafkaTestEnvironment.uniqueName("roundtrip")
        try await KafkaTestEnvironment.createTopic(topic, partitions: 3)
        let producer = try KafkaTestEnvironment.makeProducer()
        let consumer = try KafkaTestEnvironment.makeConsumer(
            topic: topic, group: KafkaTestEnvironment.uniqueName("roundtrip"))
        let keys = (0..<5).map { "key-\($0)" }
        let perKey = 20

        let (sent, received) = try await withRunningConsumer(consumer, alsoRunning: [producer]) { collector in
            // One sender per key: keys race each other, each key's records go out in order.
            let sent = try await withThrowingTaskGroup(of: [Sent].self) { senders in
                for key in keys {
                    senders.addTask {
                        var sent: [Sent] = []
                        for sequence in 0..<perKey {
                            let message = KafkaProducerMessage(
                                topic: topic,
                                key: key,
                                value: "\(key)/\(sequence)",
                                headers: [
                                    KafkaHeader(key: "sequence", string: "\(sequence)"),
                                    KafkaHeader(key: "binary", value: [0, 1, 254, 255]),
                                    KafkaHeader(key: "null", value: nil),
                                ]
                            )
                            sent.append(Sent(key: key, sequence: sequence, report: try await producer.send(message)))
                        }
                        return sent
                    }
                }
                return try await senders.reduce(into: []) { $0 += $1 }
            }
            let received = try await collector.waitUntil("all 100 records") { $0.count >= keys.count * perKey }
            return (sent, received)
        }

        #expect(sent.count == 100)
        for entry in sent {
            #expect(entry.report.topic == topic)
            #expect((0..<3).contains(entry.report.partition))
            #expect(entry.report.offset >= 0)
        }
        let positions = Set(sent.map { "\($0.report.partition)/\($0.report.offset)" })
        #expect(positions.count == 100, "every report names its own partition/offset")

        #expect(received.count == 100)
        let sentByValue = Dictionary(uniqueKeysWithValues: sent.map { ("\($0.key)/\($0.sequence)", $0) })
        for message in received {
            let original = try #require(sentByValue[message.valueString], "unexpected value \(message.valueString)")
            #expect(message.topic == topic)
            #expect(message.keyString == original.key)
            #expect(message.header("sequence") == "\(original.sequence)")
            #expect(message.headers.map(\.key) == ["sequence", "binary", "null"])
            #expect(message.headers[1].value == [0, 1, 254, 255])
            #expect(message.headers.last?.value == nil)
            #expect(message.partition == original.report.partition)
            #expect(message.offset == original.report.offset)
            #expect(message.timestamp != nil)
        }
        for key in keys {
            let sequences = received.filter { $0.keyString == key }.compactMap { $0.header("sequence").flatMap(Int.init) }
            #expect(sequences == Array(0..<perKey), "records of \(key) arrive in the order sent")
        }
    }

    @Test func aSecondGroupMemberResumesAfterTheCommittedOffsets() async throws {
        let topic = KafkaTestEnvironment.uniqueName("commit")
        let group = KafkaTestEnvironment.uniqueName("commit")
        try await KafkaTestEnvironment.createTopic(topic, partitions: 3)
        let producer = try KafkaTestEnvironment.makeProducer()
        let keys = (0..<6).map { "key-\($0)" }

        // Phase one: 20 records; consumer A processes 10 of them, commits those and leaves.
        let firstBatch = (0..<20).map { KafkaProducerMessage(topic: topic, key: keys[$0 % keys.count], value: "first/\($0)") }
        let consumerA = try KafkaTestEnvironment.makeConsumer(topic: topic, group: group)
        let committed = try await withRunningConsumer(consumerA, alsoRunning: [producer]) { collector in
            for message in firstBatch {
                _ = try await producer.send(message)
            }
            let received = try await collector.waitUntil("10 records for consumer A") { $0.count >= 10 }
            // Within a partition records arrive in order, so these are per-partition prefixes.
            let processed = Array(received.prefix(10))
            try await consumerA.commit(processed)
            return processed
        }
        #expect(committed.count == 10)
        let committedValues = Set(committed.map(\.valueString))
        let uncommittedValues = Set(firstBatch.map { String(decoding: $0.value, as: UTF8.self) }).subtracting(committedValues)
        #expect(uncommittedValues.count == 10)

        // Phase two: consumer B, same group, must start right after A's commits.
        let producerB = try KafkaTestEnvironment.makeProducer()
        let consumerB = try KafkaTestEnvironment.makeConsumer(topic: topic, group: group)
        let received = try await withRunningConsumer(consumerB, alsoRunning: [producerB]) { collector in
            _ = try await collector.waitUntil("the 10 uncommitted records") { messages in
                uncommittedValues.isSubset(of: messages.map(\.valueString))
            }
            // Fresh records on the same keys land on every partition A touched, so a consumer
            // that restarted too early on any partition would show old records before these.
            let secondBatch = (0..<20).map {
                KafkaProducerMessage(topic: topic, key: keys[$0 % keys.count], value: "second/\($0)")
            }
            for message in secondBatch {
                _ = try await producerB.send(message)
            }
            return try await collector.waitUntil("the 20 new records") { messages in
                messages.filter { $0.valueString.hasPrefix("second/") }.count >= 20
            }
        }

        let receivedValues = received.map(\.valueString)
        #expect(receivedValues.count == 30, "exactly the 10 uncommitted and the 20 new records")
        #expect(Set(receivedValues).isDisjoint(with: committedValues), "committed records are not redelivered")
        #expect(Set(receivedValues).count == receivedValues.count, "no record arrives twice")
        var nextCommitted: [Int32: Int64] = [:]
        for message in committed {
            nextCommitted[message.partition] = max(nextCommitted[message.partition] ?? 0, message.offset + 1)
        }
        for (partition, offset) in nextCommitted {
            let first = received.filter { $0.partition == partition }.map(\.offset).min()
            #expect(first == offset, "partition \(partition) resumes at its committed offset")
        }
    }
}
