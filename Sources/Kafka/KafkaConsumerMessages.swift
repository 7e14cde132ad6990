/// The records a ``KafkaConsumer`` receives, as an `AsyncSequence`.
///
/// Iterate it once (a second iterator throws). It finishes when the consumer stops, and
/// throws if the consumer stopped on a fatal error. Records not yet taken when the consumer
/// stops are dropped; they were not committed, so the group delivers them again.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    /// A record.
    public typealias Element = KafkaConsumerMessage
    /// Iteration may throw a ``KafkaError``.
    public typealias Failure = any Error

    let buffer: KafkaConsumerMessageBuffer

    /// Creates the single iterator of the consumer's records.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer.claimIterator() ? buffer : nil)
    }

    /// Iterates the consumer's records.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let buffer: KafkaConsumerMessageBuffer?

        init(buffer: KafkaConsumerMessageBuffer?) {
            self.buffer = buffer
        }

        /// The next record, or `nil` once the consumer stopped.
        public mutating func next() async throws -> KafkaConsumerMessage? {
            guard let buffer else {
                throw KafkaError(code: .consume, message: "a Kafka consumer's messages can be iterated only once")
            }
            return try await buffer.next()
        }
    }
}
