import Foundation
import Logging
import ServiceLifecycle

/// A consumer-group member that receives records of its topics and commits offsets manually.
///
/// Run it as a `Service`: ``run()`` polls on a dedicated thread and feeds ``messages``.
/// Offsets move only through `commit(_:)`, so processing is at-least-once.
public final class KafkaConsumer: Service, Sendable {
    let client: RDKafkaClient
    let configuration: KafkaConsumerConfiguration
    let logger: Logger
    let buffer: KafkaConsumerMessageBuffer
    /// Run, stop, close, assignment, leases and commits: one state behind one lock.
    let state: LockedValue<KafkaConsumerStateMachine>

    /// How long the poll thread blocks per poll or per wait for buffer room; bounds how late it
    /// notices a stop request.
    private static let pollInterval: Duration = .milliseconds(100)

    private init(client: RDKafkaClient, configuration: KafkaConsumerConfiguration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.buffer = KafkaConsumerMessageBuffer(capacity: configuration.maxBufferedMessages)
        if case .leases = configuration.partitionAssignment {
            state = LockedValue(KafkaConsumerStateMachine(sharesByLeases: true))
        } else {
            state = LockedValue(KafkaConsumerStateMachine(sharesByLeases: false))
        }
    }

    /// Creates a consumer subscribed to the configured topics; it joins the group once ``run()`` polls.
    ///
    /// - Throws: ``KafkaError`` (`.configuration`) if librdkafka rejects a property or the subscription.
    public static func makeConsumer(configuration: KafkaConsumerConfiguration, logger: Logger) throws -> KafkaConsumer {
        let client = try RDKafkaClient.make(
            kind: .consumer,
            properties: configuration.rdKafkaProperties,
            deliveryReports: false,
            errorEvents: true,
            logger: logger
        )
        let consumer = KafkaConsumer(client: client, configuration: configuration, logger: logger)
        if case .leases = configuration.partitionAssignment {
            // Nothing is read until the first lease is held.
            consumer.buffer.accept(only: [])
            return consumer
        }
        try client.subscribe(to: configuration.topics)
        client.onRebalance { [buffer = consumer.buffer, state = consumer.state, logger] change in
            guard case .revoked(let partitions) = change else {
                if case .assigned(let partitions) = change { state.withLock { $0.assigned(partitions) } }
                return
            }
            state.withLock { $0.revoked(partitions) }
            let dropped = buffer.drop(partitions: Set(partitions))
            if dropped > 0 {
                logger.info("dropped records of revoked partitions; their next owner reads them again", metadata: [
                    "kafka.dropped": "\(dropped)",
                ])
            }
        }
        return consumer
    }

    /// Whether the consumer was asked to stop or has closed.
    var isStopping: Bool { state.withLock { $0.isStopping } }

    /// The received records; iterate once. Finishes when the consumer stops.
    public var messages: KafkaConsumerMessages {
        KafkaConsumerMessages(buffer: buffer)
    }

    /// The partitions this member reads now (given by the group, or leased).
    public var assignedPartitions: Set<KafkaTopicPartition> { state.withLock { $0.assignment } }

    /// Whether received records wait to be read: a consumer that commits in batches commits
    /// when this turns false, so nothing it finished stays uncommitted while it idles.
    public var hasBufferedMessages: Bool { buffer.hasBufferedMessages }

    /// How many received records wait to be read.
    public var bufferedMessageCount: Int { buffer.bufferedCount }

    /// Commits `message.offset + 1` for the message's partition, synchronously with the broker.
    ///
    /// - Throws: ``KafkaError`` (`.commit`, or `.shutdown` once the consumer closed).
    public func commit(_ message: KafkaConsumerMessage) async throws {
        try await commit([message])
    }

    /// Commits, for each partition among `messages`, the offset after the highest one given.
    ///
    /// - Throws: ``KafkaError`` (`.commit`, or `.shutdown` once the consumer closed).
    public func commit(_ messages: [KafkaConsumerMessage]) async throws {
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            let key = KafkaTopicPartition(topic: message.topic, partition: message.partition)
            nextOffsets[key] = max(nextOffsets[key] ?? .min, message.offset + 1)
        }
        guard !nextOffsets.isEmpty else { return }
        try await client.runBlocking { [client, state, nextOffsets] in
            switch state.withLock({ $0.commitAction(for: nextOffsets) }) {
            case .closed:
                throw KafkaError(code: .shutdown, message: "the Kafka consumer has closed; cannot commit")
            case .nothing:
                return
            case .commit(let kept):
                try client.commit(kept.map {
                    RDKafkaClient.CommitOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value)
                })
                state.withLock { $0.committed(kept) }
            }
        }
    }

    /// Commits like ``commit(_:)``, but answers `false` instead of throwing
    /// when shutdown has closed the consumer meanwhile: a consumer whose work
    /// is idempotent stops there, and the group hands the messages out again.
    ///
    /// A commit refused because the group moved on (a rebalance in progress,
    /// an old generation, a member the coordinator no longer knows, a lost
    /// assignment) is not an error for such a consumer either: the partitions'
    /// next owner reads the records again from the last committed offset and
    /// recognises them as handled. It is logged and answered `true`.
    public func commitUnlessClosed(_ messages: [KafkaConsumerMessage]) async throws -> Bool {
        do {
            try await commit(messages)
            return true
        } catch let error as KafkaError where error.code == .shutdown {
            return false
        } catch let error as KafkaError where error.code == .commit && error.isRetriable {
            logger.info("offsets not committed: the group moved on; the next owner reads these records again", metadata: [
                "kafka.error": "\(error)", "kafka.records": "\(messages.count)",
            ])
            return true
        }
    }

    /// Asks the cluster for metadata.
    ///
    /// - Throws: ``KafkaError`` (`.connection`) reading "cannot reach Kafka broker at
    ///   <bootstrap servers>: <reason>" if no answer came within `timeout`.
    public func checkConnection(timeout: Duration) async throws {
        try await client.checkConnection(bootstrapServers: configuration.bootstrapServers, timeout: timeout)
    }

    /// Polls on a dedicated thread until graceful shutdown or cancellation, then leaves the
    /// group, closes the consumer and finishes ``messages``.
    ///
    /// - Throws: ``KafkaError`` if the consumer stopped on a fatal error.
    public func run() async throws {
        try state.withLock { (machine: inout KafkaConsumerStateMachine) throws(KafkaError) in try machine.start() }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                        let thread = Thread { [self] in
                            continuation.resume(with: pollUntilStopped())
                        }
                        thread.name = "kafka-consumer-poll"
                        thread.start()
                    }
                }
                if case .leases(let store, let member, let leaseTime) = configuration.partitionAssignment {
                    group.addTask { await self.shareByLeases(store: store, member: member, leaseTime: leaseTime) }
                }
                try await group.waitForAll()
            }
            if case .leases(let store, let member, _) = configuration.partitionAssignment {
                await leave(store: store, member: member)
            }
        } onCancelOrGracefulShutdown: { [state] in
            state.withLock { $0.requestStop() }
        }
    }

    /// The poll thread's body.
    private func pollUntilStopped() -> Result<Void, any Error> {
        let pollMilliseconds = Self.pollInterval.timeoutMilliseconds
        let roomWait = TimeInterval(pollMilliseconds) / 1000
        var failure: KafkaError?
        polling: while !isStopping {
            // Backpressure: stop fetching while the application is behind.
            guard buffer.waitForRoom(timeout: roomWait) else { continue }
            switch client.consumerPoll(timeoutMilliseconds: pollMilliseconds) {
            case .nothing:
                // Fatal errors reach the error callback rather than the poll result.
                if let fatal = client.fatalError() {
                    logger.error("Kafka consumer stopping on a fatal error", metadata: ["kafka.error": "\(fatal)"])
                    failure = fatal
                    break polling
                }
            case .message(let message):
                buffer.deliver(message)
            case .error(let error) where error.isFatal:
                logger.error("Kafka consumer stopping on a fatal error", metadata: ["kafka.error": "\(error)"])
                failure = error
                break polling
            case .error(let error) where RDKafkaClient.isPartitionEOF(error):
                logger.debug("Kafka partition end reached", metadata: ["kafka.error": "\(error)"])
            case .error(let error):
                logger.warning("Kafka consumer error", metadata: ["kafka.error": "\(error)"])
            }
        }

        state.withLock { $0.close() }
        do {
            try client.closeConsumer()
        } catch {
            logger.warning("Kafka consumer did not close cleanly", metadata: ["kafka.error": "\(error)"])
        }
        buffer.finish(error: failure)
        logger.debug("Kafka consumer closed", metadata: ["kafka.group": "\(configuration.groupID)"])
        return failure.map { .failure($0) } ?? .success(())
    }
}
