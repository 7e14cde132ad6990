import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Testing

/// The broker the integration tests talk to, from `KAFKA_BOOTSTRAP_SERVERS`.
enum KafkaTestEnvironment {
    static let bootstrapServers: String? = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"]

    static var isConfigured: Bool { bootstrapServers != nil }

    /// The broker address; only call from tests enabled by ``isConfigured``.
    static var brokers: String { bootstrapServers ?? "" }

    static let logger: Logger = {
        var logger = Logger(label: "kafka-integration-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A name no other test (or earlier run against the same broker) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(12).lowercased())"
    }

    /// Creates a fresh topic, so a test never sees another test's records.
    static func createTopic(_ name: String, partitions: Int32) async throws {
        let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: brokers, logger: logger)
        let outcome = try await admin.createTopics(
            [KafkaTopicSpecification(name: name, partitions: partitions)], timeout: .seconds(10))
        try #require(outcome[name] == .created)
    }

    static func makeProducer() throws -> KafkaProducer {
        try KafkaProducer.makeProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: brokers), logger: logger)
    }

    /// A consumer that shares partitions by leases kept in this process: it reads at once,
    /// with no broker-side group round (on a loaded machine the test broker's rounds have
    /// held a group's records back for over 30 s).
    static func makeLeaseConsumer(topic: String, group: String) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: group, topics: [topic])
        configuration.partitionAssignment = .leases(store: KafkaSoleReaderLeases(), memberID: "only", leaseTime: .seconds(3))
        return try KafkaConsumer.makeConsumer(configuration: configuration, logger: logger)
    }

    static func makeConsumer(topic: String, group: String) throws -> KafkaConsumer {
        try KafkaConsumer.makeConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: group, topics: [topic]),
            logger: logger
        )
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Records what a consumer hands out, for tests to wait on.
actor MessageCollector {
    private(set) var messages: [KafkaConsumerMessage] = []

    func append(_ message: KafkaConsumerMessage) {
        messages.append(message)
    }

    /// Waits (bounded) until `condition` holds for the collected messages; returns them.
    func waitUntil(
        _ what: String,
        within timeout: Duration = .seconds(30),
        _ condition: ([KafkaConsumerMessage]) -> Bool
    ) async throws -> [KafkaConsumerMessage] {
        let deadline = ContinuousClock.now + timeout
        while !condition(messages) {
            guard ContinuousClock.now < deadline else {
                throw TimedOut(description: "timed out waiting for \(what); have \(messages.count) messages")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return messages
    }
}

/// Runs `consumer` (and `otherServices`) in a `ServiceGroup` while `body` runs, feeding the
/// consumer's messages into a collector; then shuts the group down gracefully and waits for
/// every `run()` to return and for `messages` to finish.
func withRunningConsumer<Result: Sendable>(
    _ consumer: KafkaConsumer,
    alsoRunning otherServices: [any Service] = [],
    _ body: (MessageCollector) async throws -> Result
) async throws -> Result {
    let collector = MessageCollector()
    let serviceGroup = ServiceGroup(
        services: otherServices + [consumer], logger: KafkaTestEnvironment.logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await serviceGroup.run() }
        tasks.addTask {
            for try await message in consumer.messages {
                await collector.append(message)
            }
        }
        let result: Result
        do {
            result = try await body(collector)
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await serviceGroup.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// Awaits `task`, or cancels it and throws after `timeout`.
func value<Value: Sendable>(
    of task: Task<Value, any Error>,
    within timeout: Duration,
    _ what: String
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await task.value }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()
        // Awaiting a task's value ignores cancellation, so stop the task itself.
        task.cancel()
        group.cancelAll()
        guard let first, let value = first else { throw TimedOut(description: "timed out waiting for \(what)") }
        return value
    }
}
