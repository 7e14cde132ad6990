import Foundation

/// Hands records from the consumer's poll thread to the one async iterator, holding at most
/// `capacity` of them: the poll thread waits for room, which is the backpressure.
///
/// The one lock of the package that is not a `Mutex`: the poll thread (a thread of its own,
/// never the cooperative pool) must sleep until the iterator makes room, which needs a
/// condition variable to wait on.
final class KafkaConsumerMessageBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    // All below guarded by `condition`.
    private var messages: [KafkaConsumerMessage] = []
    private var head = 0
    private var waiter: CheckedContinuation<KafkaConsumerMessage?, any Error>?
    /// Set once the consumer stopped: `nil` inside means it stopped cleanly.
    private var ending: KafkaError??
    private var iteratorCreated = false
    /// The partitions whose records are taken in; `nil` takes all (the broker's group decides).
    private var accepted: Set<KafkaTopicPartition>?
    /// The highest offset handed out per partition, so a member giving a
    /// partition up can tell when everything it handed out is committed.
    private var handedOut: [KafkaTopicPartition: Int64] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    private var count: Int { messages.count - head }

    /// Whether records wait to be handed out.
    var hasBufferedMessages: Bool { bufferedCount > 0 }

    /// How many records wait to be handed out.
    var bufferedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    // MARK: Poll thread side

    /// Blocks the poll thread until there is room for one more record, or `timeout` passed
    /// (so the thread can notice a stop request). Returns whether there is room.
    func waitForRoom(timeout: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while count >= capacity && ending == nil {
            if !condition.wait(until: deadline) { break }
        }
        return count < capacity
    }

    /// Passes a record to the waiting iterator, or buffers it.
    func deliver(_ message: KafkaConsumerMessage) {
        condition.lock()
        guard ending == nil, accepted?.contains(KafkaTopicPartition(topic: message.topic, partition: message.partition)) ?? true else {
            condition.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            noteHandedOut(message)
            condition.unlock()
            waiter.resume(returning: message)
            return
        }
        messages.append(message)
        condition.unlock()
    }

    /// Forgets the records of `partitions` not yet handed out, because a
    /// rebalance took those partitions away: their next owner reads them from
    /// the last committed offset. Returns how many were dropped.
    @discardableResult
    func drop(partitions: Set<KafkaTopicPartition>) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let kept = messages[head...].filter { !partitions.contains(KafkaTopicPartition(topic: $0.topic, partition: $0.partition)) }
        let dropped = count - kept.count
        messages = Array(kept)
        head = 0
        if dropped > 0 { condition.broadcast() }
        return dropped
    }

    /// Takes in records of `partitions` only from now on; `nil` takes all.
    func accept(only partitions: Set<KafkaTopicPartition>?) {
        condition.lock()
        defer { condition.unlock() }
        accepted = partitions
    }

    /// Stops taking in records of `partitions` and forgets those not yet
    /// handed out, in one step, so none fetched before can slip in after.
    /// Returns how many were dropped.
    @discardableResult
    func refuse(_ partitions: Set<KafkaTopicPartition>) -> Int {
        condition.lock()
        accepted?.subtract(partitions)
        condition.unlock()
        return drop(partitions: partitions)
    }

    /// Called with `condition` held. Only a lease-sharing member (`accepted` set) asks.
    private func noteHandedOut(_ message: KafkaConsumerMessage) {
        guard accepted != nil else { return }
        let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
        handedOut[partition] = max(handedOut[partition] ?? .min, message.offset)
    }

    /// The highest offset of `partition` handed out so far, if any.
    func lastHandedOut(_ partition: KafkaTopicPartition) -> Int64? {
        condition.lock()
        defer { condition.unlock() }
        return handedOut[partition]
    }

    /// Ends the sequence; records not yet handed out are dropped (they are uncommitted, so the
    /// group delivers them again).
    func finish(error: KafkaError?) {
        condition.lock()
        guard ending == nil else {
            condition.unlock()
            return
        }
        ending = .some(error)
        messages = []
        head = 0
        let waiter = self.waiter
        self.waiter = nil
        if waiter != nil {
            // The waiting iterator learns of the end now; later calls just see the end.
            ending = .some(nil)
        }
        condition.broadcast()
        condition.unlock()
        if let error {
            waiter?.resume(throwing: error)
        } else {
            waiter?.resume(returning: nil)
        }
    }

    // MARK: Iterator side

    /// Registers the single iterator; returns `false` for every later one.
    func claimIterator() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !iteratorCreated else { return false }
        iteratorCreated = true
        return true
    }

    /// The next record, or `nil` once the consumer stopped (or the task was cancelled).
    func next() async throws -> KafkaConsumerMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if count > 0 {
                    let message = messages[head]
                    head += 1
                    noteHandedOut(message)
                    if head > 64 && head * 2 > messages.count {
                        messages.removeFirst(head)
                        head = 0
                    }
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: message)
                } else if let ending {
                    // Report a failure once; afterwards the sequence is simply over.
                    self.ending = .some(nil)
                    condition.unlock()
                    if let error = ending {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: nil)
                    }
                } else if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiter = self.waiter
            self.waiter = nil
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }
}
