import Foundation
import Kafka
import ServiceLifecycle
import Testing

@Suite("Kafka consumer rebalances", .enabled(if: KafkaTestEnvironment.isConfigured), .timeLimit(.minutes(2)))
struct KafkaRebalanceTests {
    @Test("records buffered from partitions a join took away are not handed out; the new owner gets them")
    func revokedRecordsAreDropped() async throws {
        let topic = KafkaTestEnvironment.uniqueName("rebalance")
        let group = KafkaTestEnvironment.uniqueName("group")
        try await KafkaTestEnvironment.createTopic(topic, partitions: 4)
        let producer = try KafkaTestEnvironment.makeProducer()
        let first = try KafkaTestEnvironment.makeConsumer(topic: topic, group: group)
        let serviceGroup = ServiceGroup(services: [producer, first], logger: KafkaTestEnvironment.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            defer { tasks.cancelAll() }
            // The first member owns every partition and buffers all records,
            // handing out none yet.
            try await waitFor("the first member's assignment") { first.assignedPartitions.count == 4 }
            let messages = (0..<200).map { KafkaProducerMessage(topic: topic, key: "k\($0)", value: "v\($0)") }
            for result in await producer.send(contentsOf: messages) { _ = try result.get() }
            try await waitFor("the first member to buffer records") { first.hasBufferedMessages }

            // A second member joins (subscribing starts the join): the group
            // moves some partitions to it.
            let second = try KafkaTestEnvironment.makeConsumer(topic: topic, group: group)
            let secondGroup = ServiceGroup(services: [second], logger: KafkaTestEnvironment.logger)
            tasks.addTask { try await secondGroup.run() }
            try await waitFor("the partitions to be shared") {
                let (a, b) = (first.assignedPartitions, second.assignedPartitions)
                return !a.isEmpty && !b.isEmpty && a.count + b.count == 4
            }
            let mine = first.assignedPartitions
            var iterator = first.messages.makeAsyncIterator()
            var handedOut: [KafkaConsumerMessage] = []
            while first.hasBufferedMessages, let message = try await iterator.next() { handedOut.append(message) }
            let foreign = handedOut.filter { !mine.contains(KafkaTopicPartition(topic: $0.topic, partition: $0.partition)) }
            #expect(foreign.isEmpty, "handed out \(foreign.count) records of partitions the first member no longer owns")

            // The new owner reads the records of its partitions from the start.
            var received = 0
            var secondIterator = second.messages.makeAsyncIterator()
            let expected = try await countOnPartitions(second.assignedPartitions, of: messages, topic: topic)
            let deadline = ContinuousClock.now + .seconds(30)
            while received < expected, ContinuousClock.now < deadline {
                guard let message = try await secondIterator.next() else { break }
                #expect(second.assignedPartitions.contains(KafkaTopicPartition(topic: message.topic, partition: message.partition)))
                received += 1
            }
            #expect(received == expected)
            await secondGroup.triggerGracefulShutdown()
            await serviceGroup.triggerGracefulShutdown()
        }
    }
}

/// Waits, bounded, until `condition` holds.
private func waitFor(_ what: String, within timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// How many of `messages` the broker put on `partitions` (read back with a throw-away group).
private func countOnPartitions(
    _ partitions: Set<KafkaTopicPartition>, of messages: [KafkaProducerMessage], topic: String
) async throws -> Int {
    let reader = try KafkaTestEnvironment.makeConsumer(topic: topic, group: KafkaTestEnvironment.uniqueName("reader"))
    return try await withRunningConsumer(reader) { collector in
        let all = try await collector.waitUntil("all records") { $0.count >= messages.count }
        return all.filter { partitions.contains(KafkaTopicPartition(topic: $0.topic, partition: $0.partition)) }.count
    }
}
