import Foundation
import Kafka
import Logging
import ReminderContracts
import ReminderDomain
import Synchronization

/// Reads a dead-letter topic from its beginning, every partition to itself
/// under a group name of its own (no offsets are committed), until no message
/// came for a while.
///
/// We cannot ask the broker where the topic ends (the test broker's
/// watermarks are unreliable), so the end is "quiet for `idleTimeout`" after
/// the first message, or `firstMessageTimeout` when the topic is empty.
public struct DeadLetterReader: Sendable {
    let bootstrapServers: String
    let logger: Logger

    /// Reads through `bootstrapServers`.
    public init(bootstrapServers: String, logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.logger = logger
    }

    /// Every message on `topic`, oldest first per partition.
    public func read(topic: String, firstMessageTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(2)) async throws -> [ParkedMessage] {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: "reminders-dead-letters-\(UUID().uuidString.lowercased())",
            topics: [topic]
        )
        configuration.autoOffsetReset = .earliest
        configuration.partitionAssignment = .leases(store: KafkaSoleReaderLeases(), memberID: "reader", leaseTime: .seconds(10))
        let consumer = try KafkaConsumer.makeConsumer(configuration: configuration, logger: logger)
        let collected = Collected()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask {
                for try await message in consumer.messages {
                    let raw = String(decoding: message.value, as: UTF8.self)
                    let letter = try? MessageCoding.decode(DeadLetter.self, from: message.value)
                    collected.append(ParkedMessage(topic: message.topic, partition: message.partition, offset: message.offset, letter: letter, rawValue: raw))
                }
            }
            group.addTask {
                let start = ContinuousClock.now
                while true {
                    try await Task.sleep(for: .milliseconds(100))
                    let (count, last) = collected.progress
                    if count == 0, ContinuousClock.now - start >= firstMessageTimeout { return }
                    if let last, ContinuousClock.now - last >= idleTimeout { return }
                }
            }
            // The watchdog ends first; then stop the consumer.
            _ = try await group.next()
            group.cancelAll()
        }
        return collected.messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
}

/// What the reading tasks share.
private final class Collected: Sendable {
    private struct State {
        var items: [ParkedMessage] = []
        var last: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    func append(_ message: ParkedMessage) {
        state.withLock { state in
            state.items.append(message)
            state.last = .now
        }
    }

    var progress: (Int, ContinuousClock.Instant?) {
        state.withLock { ($0.items.count, $0.last) }
    }

    var messages: [ParkedMessage] {
        state.withLock { $0.items }
    }
}
