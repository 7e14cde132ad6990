import Kafka
import ServiceLifecycle
import Testing

@Suite(.enabled(if: KafkaTestEnvironment.isConfigured, "KAFKA_BOOTSTRAP_SERVERS is not set"), .timeLimit(.minutes(1)))
struct KafkaShutdownTests {
    /// Sends records until the producer stops; returns how many were acknowledged.
    private static func produceUntilStopped(_ producer: KafkaProducer, topic: String) async -> (sent: Int, stopError: KafkaError?) {
        var sent = 0
        while true {
            do {
                _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "k\(sent % 7)", value: "v\(sent)"))
                sent += 1
            } catch let error as KafkaError {
                return (sent, error)
            } catch {
                return (sent, nil)
            }
        }
    }

    @Test func gracefulShutdownWhileRecordsFlowEndsRunAndMessages() async throws {
        let topic = KafkaTestEnvironment.uniqueName("shutdown")
        try await KafkaTestEnvironment.createTopic(topic, partitions: 3)
        let producer = try KafkaTestEnvironment.makeProducer()
        let consumer = try KafkaTestEnvironment.makeLeaseConsumer(topic: topic, group: KafkaTestEnvironment.uniqueName("shutdown"))
        let serviceGroup = ServiceGroup(services: [producer, consumer], logger: KafkaTestEnvironment.logger)
        let collector = MessageCollector()

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            tasks.addTask {
                for try await message in consumer.messages {
                    await collector.append(message)
                }
            }
            tasks.addTask {
                let outcome = await Self.produceUntilStopped(producer, topic: topic)
                // The producer stops with the group; from then on sends fail as shutdown.
                #expect(outcome.stopError?.code == .shutdown)
                #expect(outcome.sent > 0)
            }
            // Ten records show the flow; the producer keeps sending through the shutdown. (On
            // the loaded broker of a full run one send at a time has come to one or two a second.)
            _ = try await collector.waitUntil("records to flow") { $0.count >= 10 }
            await serviceGroup.triggerGracefulShutdown()
            // Returns only when both run() calls returned, `messages` finished and the sender stopped.
            try await tasks.waitForAll()
        }

        let message = try #require(await collector.messages.first)
        let error = await #expect(throws: KafkaError.self) { try await consumer.commit(message) }
        #expect(error?.code == .shutdown)
    }

    @Test func cancellingRunStopsTheConsumerAndFinishesMessages() async throws {
        let topic = KafkaTestEnvironment.uniqueName("cancel")
        try await KafkaTestEnvironment.createTopic(topic, partitions: 3)
        let producer = try KafkaTestEnvironment.makeProducer()
        let consumer = try KafkaTestEnvironment.makeLeaseConsumer(topic: topic, group: KafkaTestEnvironment.uniqueName("cancel"))
        let collector = MessageCollector()

        let iteration = Task {
            for try await message in consumer.messages {
                await collector.append(message)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await producer.run() }
            tasks.addTask { _ = await Self.produceUntilStopped(producer, topic: topic) }
            let consumerRun = Task { try await consumer.run() }

            _ = try await collector.waitUntil("records to flow") { $0.count >= 10 }
            consumerRun.cancel()
            try await value(of: consumerRun, within: .seconds(10), "the consumer's run() to return")
            // Records still flow, yet the sequence must end because the consumer stopped.
            try await value(of: iteration, within: .seconds(5), "`messages` to finish")
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }
}
