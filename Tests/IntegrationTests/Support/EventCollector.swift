import Foundation
import Kafka
import Logging
import Synchronization

/// Reads a topic with a consumer group of its own until every expected event
/// id (in header `header`) has arrived or the time is up; returns how often
/// each id arrived.
func collectEventIDs(
    topic: String,
    expecting expected: Set<String>,
    header: String = "event_id",
    bootstrapServers: String = TestEnvironment.kafkaBootstrapServers,
    timeout: Duration
) async throws -> [String: Int] {
    var configuration = KafkaConsumerConfiguration.testing(
        groupID: "test-collector-" + TestEnvironment.uniqueSuffix(), topics: [topic], bootstrapServers: bootstrapServers
    )
    configuration.autoOffsetReset = .earliest
    let consumer = try KafkaConsumer.makeConsumer(configuration: configuration, logger: TestEnvironment.logger("test.collector"))
    let seen = SharedCounts()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await consumer.run() }
        group.addTask { try await Task.sleep(for: timeout) }
        group.addTask {
            var missing = expected
            for try await message in consumer.messages {
                guard let id = message.header(header) else { continue }
                seen.withLock { $0[id, default: 0] += 1 }
                missing.remove(id)
                if missing.isEmpty { return }
            }
        }
        // Whichever ends first — all ids seen, or the time is up — ends the wait.
        _ = try await group.next()
        group.cancelAll()
    }
    return seen.withLock { $0 }
}

/// Counts shared between the collecting task and the caller.
final class SharedCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func withLock<R: Sendable>(_ body: (inout [String: Int]) -> R) -> R { counts.withLock { body(&$0) } }
}
