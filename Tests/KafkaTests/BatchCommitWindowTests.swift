import Testing

@testable import Kafka

@Suite("Committing batches that finish out of order")
struct BatchCommitWindowTests {
    private func batch(_ offsets: ClosedRange<Int64>, partition: Int32 = 0) -> [KafkaConsumerMessage] {
        offsets.map { KafkaConsumerMessage(topic: "t", partition: partition, offset: $0, key: nil, value: []) }
    }

    @Test("a batch that finishes before an earlier one waits for it; then both are committable together")
    func waitsForEarlierBatches() {
        var window = BatchCommitWindow()
        let first = window.start(batch(0...4))
        let second = window.start(batch(5...9))
        let third = window.start(batch(10...12))
        #expect(window.inFlight == 3)
        #expect(window.finish(second).isEmpty)
        #expect(window.finish(third).isEmpty)
        #expect(window.finish(first).map(\.offset) == Array(0...12))
        #expect(window.inFlight == 0)
    }

    @Test("batches that finish in order are committable one by one")
    func inOrder() {
        var window = BatchCommitWindow()
        let first = window.start(batch(0...1))
        let second = window.start(batch(2...3, partition: 1))
        #expect(window.finish(first).map(\.offset) == [0, 1])
        #expect(window.finish(second).map(\.partition) == [1, 1])
    }

    @Test("every permutation of four finishing batches commits each record exactly once, never past an unfinished batch")
    func allOrders() {
        let orders = permutations([0, 1, 2, 3])
        for order in orders {
            var window = BatchCommitWindow()
            let sequences = (0..<4).map { window.start(batch(Int64($0 * 10)...Int64($0 * 10 + 2))) }
            var committed: [Int64] = []
            var finished: Set<Int> = []
            for index in order {
                committed += window.finish(sequences[index]).map(\.offset)
                finished.insert(index)
                // Committed records are exactly those of the finished prefix.
                let prefix: [Int] = Array((0..<4).prefix { finished.contains($0) })
                var expected: [Int64] = []
                for sequence in prefix {
                    let base = Int64(sequence * 10)
                    expected += [base, base + 1, base + 2]
                }
                #expect(committed == expected)
            }
        }
    }
}

@Suite("When another batch starts")
struct BatchStartTests {
    @Test("with nothing running a batch always starts; beside running ones only for a backlog of half a batch, up to the concurrency")
    func startRule() {
        var window = BatchCommitWindow()
        for buffered in 0...10 {
            #expect(window.mayStart(buffered: buffered, maximumBatchSize: 10, concurrency: 3))
        }
        _ = window.start([])
        for buffered in 0...10 {
            #expect(window.mayStart(buffered: buffered, maximumBatchSize: 10, concurrency: 3) == (buffered >= 5), "\(buffered) waiting")
            // A concurrency of one never starts a second batch.
            #expect(!window.mayStart(buffered: buffered, maximumBatchSize: 10, concurrency: 1))
        }
        _ = window.start([])
        #expect(window.mayStart(buffered: 5, maximumBatchSize: 10, concurrency: 3))
        _ = window.start([])
        #expect(!window.mayStart(buffered: 1_000, maximumBatchSize: 10, concurrency: 3))
        // A batch of one: any waiting record is a backlog.
        var single = BatchCommitWindow()
        _ = single.start([])
        #expect(!single.mayStart(buffered: 0, maximumBatchSize: 1, concurrency: 2))
        #expect(single.mayStart(buffered: 1, maximumBatchSize: 1, concurrency: 2))
    }
}

@Suite("Dropping records of revoked partitions")
struct MessageBufferDropTests {
    @Test("only the revoked partitions' records are dropped; the others keep their order")
    func dropsOnlyRevoked() async throws {
        let buffer = KafkaConsumerMessageBuffer(capacity: 100)
        for offset in 0..<6 {
            buffer.deliver(KafkaConsumerMessage(topic: "t", partition: Int32(offset % 3), offset: Int64(offset), key: nil, value: []))
        }
        let dropped = buffer.drop(partitions: [KafkaTopicPartition(topic: "t", partition: 1)])
        #expect(dropped == 2)
        #expect(buffer.claimIterator())
        var left: [Int64] = []
        while buffer.hasBufferedMessages, let message = try await buffer.next() { left.append(message.offset) }
        #expect(left == [0, 2, 3, 5])
    }

    @Test("a partition of another topic with the same number is kept")
    func topicMatters() {
        let buffer = KafkaConsumerMessageBuffer(capacity: 10)
        buffer.deliver(KafkaConsumerMessage(topic: "a", partition: 0, offset: 0, key: nil, value: []))
        buffer.deliver(KafkaConsumerMessage(topic: "b", partition: 0, offset: 0, key: nil, value: []))
        #expect(buffer.drop(partitions: [KafkaTopicPartition(topic: "a", partition: 0)]) == 1)
        #expect(buffer.hasBufferedMessages)
    }
}

private func permutations(_ items: [Int]) -> [[Int]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { index in
        var rest = items
        let head = rest.remove(at: index)
        return permutations(rest).map { [head] + $0 }
    }
}
