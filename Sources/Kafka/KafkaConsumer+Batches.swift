extension KafkaConsumer {
    /// Hands the records to `handle` in batches and commits each batch's
    /// offsets once it, and every batch read before it, has returned.
    ///
    /// A batch is what has already arrived, up to `maximumBatchSize` records:
    /// when idle a record goes alone and at once, under load many share one
    /// call. Records that arrive while a batch runs wait for it and then go
    /// together; only a backlog of half a batch or more starts another batch
    /// beside it, up to `concurrency` at the same time. (Starting one for every
    /// few records that arrived made many small transactions, each costing
    /// about as much as a large one.)
    /// Offsets are committed in reading order, so a crash never commits past a
    /// batch that had not finished. `handle` must tolerate seeing a record
    /// again (after a crash, a rebalance or a stop before the commit).
    ///
    /// Returns when the consumer stops; rethrows what `handle` throws.
    public func processBatches(
        maximumBatchSize: Int,
        concurrency: Int,
        handle: @escaping @Sendable ([KafkaConsumerMessage]) async throws -> Void
    ) async throws {
        let maximumBatchSize = max(1, maximumBatchSize)
        let concurrency = max(1, concurrency)
        var iterator = messages.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Int.self) { group in
            var window = BatchCommitWindow()
            var reading = true
            var stoppedBeforeCommit = false
            while reading || window.inFlight > 0 {
                // Start a batch when nothing runs (then wait for the next record),
                // or beside the running ones when a backlog waits.
                if reading, window.mayStart(buffered: bufferedMessageCount, maximumBatchSize: maximumBatchSize, concurrency: concurrency) {
                    guard let first = try await iterator.next() else {
                        reading = false
                        continue
                    }
                    var batch = [first]
                    while batch.count < maximumBatchSize, hasBufferedMessages, let next = try await iterator.next() {
                        batch.append(next)
                    }
                    let sequence = window.start(batch)
                    group.addTask {
                        try await handle(batch)
                        return sequence
                    }
                    continue
                }
                guard let finished = try await group.next() else { break }
                let committable = window.finish(finished)
                guard !committable.isEmpty, !stoppedBeforeCommit else { continue }
                if try await !commitUnlessClosed(committable) {
                    // Their work is done; redelivered, it is recognised as handled.
                    stoppedBeforeCommit = true
                }
            }
        }
    }
}

/// The batches of ``KafkaConsumer/processBatches(maximumBatchSize:concurrency:handle:)``
/// that have started but whose offsets are not committed yet, in reading order.
struct BatchCommitWindow {
    private var nextSequence = 0
    private var nextToCommit = 0
    private var batches: [Int: [KafkaConsumerMessage]] = [:]
    private var finished: Set<Int> = []

    /// Batches started and not yet finished.
    private(set) var inFlight = 0

    /// Whether to start a batch now, with `buffered` records waiting: always
    /// when none runs; beside running ones (up to `concurrency`) only for a
    /// backlog of at least half of `maximumBatchSize`.
    func mayStart(buffered: Int, maximumBatchSize: Int, concurrency: Int) -> Bool {
        if inFlight == 0 { return true }
        return inFlight < concurrency && buffered >= max(1, maximumBatchSize / 2)
    }

    /// Registers a batch; returns its sequence number.
    mutating func start(_ batch: [KafkaConsumerMessage]) -> Int {
        defer { nextSequence += 1 }
        batches[nextSequence] = batch
        inFlight += 1
        return nextSequence
    }

    /// Marks batch `sequence` finished; returns the records that may now be
    /// committed: those of the finished batches with no unfinished one before them.
    mutating func finish(_ sequence: Int) -> [KafkaConsumerMessage] {
        inFlight -= 1
        finished.insert(sequence)
        var committable: [KafkaConsumerMessage] = []
        while finished.remove(nextToCommit) != nil {
            committable += batches.removeValue(forKey: nextToCommit) ?? []
            nextToCommit += 1
        }
        return committable
    }
}
