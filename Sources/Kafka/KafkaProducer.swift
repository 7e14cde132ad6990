import Foundation
import Logging
import ServiceLifecycle

/// Produces records and awaits the broker's acknowledgement of each.
///
/// Run it as a `Service`: ``run()`` serves delivery reports on a dedicated thread. Records sent
/// before `run()` starts wait in librdkafka's queue until it does.
public final class KafkaProducer: Service, Sendable {
    private enum State {
        case idle
        case running
        /// No new records are accepted; queued ones are being flushed or failed.
        case stopped
    }

    private let client: RDKafkaClient
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger
    /// Guards the state and every enqueue, so no record slips in after the final flush began.
    private let state = LockedValue(State.idle)
    private let stopSignal = StopSignal()

    /// How long the shutdown flush may wait for outstanding acknowledgements.
    private static let shutdownFlushTimeout: Duration = .seconds(10)
    /// How long to wait before retrying a record librdkafka's full local queue refused.
    private static let queueFullBackoff: Duration = .milliseconds(10)

    private init(client: RDKafkaClient, configuration: KafkaProducerConfiguration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    /// Creates a producer; it connects lazily, in the background.
    ///
    /// - Throws: ``KafkaError`` (`.configuration`) if librdkafka rejects a property.
    public static func makeProducer(configuration: KafkaProducerConfiguration, logger: Logger) throws -> KafkaProducer {
        let client = try RDKafkaClient.make(
            kind: .producer,
            properties: configuration.rdKafkaProperties,
            deliveryReports: true,
            errorEvents: true,
            logger: logger
        )
        return KafkaProducer(client: client, configuration: configuration, logger: logger)
    }

    /// Sends one record and completes when the broker acknowledged it.
    ///
    /// While the broker is away librdkafka keeps retrying for
    /// ``KafkaProducerConfiguration/messageTimeout``. Cancelling the calling task does not
    /// withdraw an enqueued record; the call still waits for its outcome.
    ///
    /// When librdkafka's local queue is full the record waits briefly and is enqueued again.
    ///
    /// - Throws: ``KafkaError``; `isFatal` means the producer must be rebuilt, code `.shutdown`
    ///   means it stopped before the record was acknowledged. `CancellationError` if the task
    ///   is cancelled while waiting for room in the local queue (the record was not enqueued).
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        while true {
            if let fatal = client.fatalError() { throw fatal }
            let attempt = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<RDKafkaProduceAttempt, any Error>) in
                state.withLock { state in
                    guard state != .stopped else {
                        continuation.resume(
                            throwing: KafkaError(code: .shutdown, message: "the Kafka producer has stopped")
                        )
                        return
                    }
                    do {
                        switch try client.produce(message, promise: RDKafkaDeliveryPromise(continuation)) {
                        case .enqueued: break
                        case .queueFull: continuation.resume(returning: .queueFull)
                        }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
            switch attempt {
            case .delivered(let report):
                return report
            case .queueFull:
                // The queue drains as the broker acknowledges; waiting beats failing the record.
                logger.debug("Kafka producer queue full; retrying", metadata: ["kafka.topic": "\(message.topic)"])
                try await Task.sleep(for: Self.queueFullBackoff)
            }
        }
    }

    /// Sends records in the given order and completes when the broker acknowledged or refused
    /// each; the results are in the same order.
    ///
    /// Every record is enqueued before the next one, so records with the same key keep their
    /// order on the partition (the idempotent producer keeps it through retries); they are in
    /// flight together, so a batch costs about one round trip, not one per record.
    public func send(contentsOf messages: [KafkaProducerMessage]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        let batch = KafkaProducerBatch(count: messages.count)
        var index = 0
        while index < messages.count {
            if let fatal = client.fatalError() {
                batch.failRemaining(from: index, with: fatal)
                break
            }
            let slot = index
            let outcome: Result<RDKafkaClient.ProduceResult, KafkaError> = state.withLock { state in
                guard state != .stopped else {
                    return .failure(KafkaError(code: .shutdown, message: "the Kafka producer has stopped"))
                }
                do {
                    let promise = RDKafkaDeliveryPromise { result in batch.complete(slot, with: result) }
                    return .success(try client.produce(messages[slot], promise: promise))
                } catch let error as KafkaError {
                    return .failure(error)
                } catch {
                    return .failure(KafkaError(code: .produce, message: "\(error)"))
                }
            }
            switch outcome {
            case .success(.enqueued):
                index += 1
            case .success(.queueFull):
                // Wait for acknowledgements to make room; order is kept because nothing after
                // this record was enqueued yet.
                try? await Task.sleep(for: Self.queueFullBackoff)
            case .failure(let error):
                batch.complete(slot, with: .failure(error))
                index += 1
            }
        }
        return await batch.results()
    }

    /// Asks the cluster for metadata.
    ///
    /// - Throws: ``KafkaError`` (`.connection`) reading "cannot reach Kafka broker at
    ///   <bootstrap servers>: <reason>" if no answer came within `timeout`.
    public func checkConnection(timeout: Duration) async throws {
        try await client.checkConnection(bootstrapServers: configuration.bootstrapServers, timeout: timeout)
    }

    /// Serves delivery reports on a dedicated thread until graceful shutdown or cancellation,
    /// then flushes (for at most 10 s) and stops. Records still unacknowledged after that fail
    /// their `send` with a ``KafkaError``, as does every later `send`.
    public func run() async throws {
        try state.withLock { state in
            guard state == .idle else {
                throw KafkaError(code: .shutdown, message: "a Kafka producer runs only once")
            }
            state = .running
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    serveEventsUntilStopped()
                    continuation.resume()
                }
                thread.name = "kafka-producer-events"
                thread.start()
            }
        } onCancelOrGracefulShutdown: { [stopSignal] in
            stopSignal.request()
        }
    }

    /// The event thread's body: poll, then flush and fail what is left.
    private func serveEventsUntilStopped() {
        while !stopSignal.isRequested {
            client.poll(timeoutMilliseconds: 50)
        }
        state.withLock { $0 = .stopped }

        var remaining = client.flush(timeoutMilliseconds: Self.shutdownFlushTimeout.timeoutMilliseconds)
        if remaining > 0 {
            logger.warning(
                "Kafka producer stopping with unacknowledged records; failing them",
                metadata: ["kafka.records": "\(remaining)"]
            )
            client.purgeQueuedAndInFlight()
            // Serves the purged records' delivery reports, which fail their sends.
            remaining = client.flush(timeoutMilliseconds: 1_000)
            client.poll(timeoutMilliseconds: 0)
        }
        logger.debug("Kafka producer stopped", metadata: ["kafka.records": "\(remaining)"])
    }
}
