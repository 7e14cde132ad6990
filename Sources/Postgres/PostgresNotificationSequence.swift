import Logging

/// Notifications on one channel, received on a dedicated connection (not one from the pool).
///
/// Each iterator starts its own listener thread and connection when created; it ends the
/// connection when the iterating task is cancelled, the iterator is dropped, or the client shuts
/// down (then the sequence finishes). Lost connections are re-established with backoff (at most
/// 1 s), followed by one notification whose ``PostgresNotification/isReconnect`` is true; the same
/// marker follows a first successful `LISTEN` that needed retries. Connection problems are logged,
/// never thrown, so the sequence does not fail.
public struct PostgresNotificationSequence: AsyncSequence, Sendable {
    /// The notifications.
    public typealias Element = PostgresNotification

    let configuration: PostgresConfiguration
    let channel: String
    let logger: Logger
    let isClientShutDown: @Sendable () -> Bool

    /// Starts listening: opens the dedicated connection and issues `LISTEN`.
    public func makeAsyncIterator() -> AsyncIterator {
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresNotification.self, bufferingPolicy: .unbounded)
        let listener = NotificationListener(
            configuration: configuration,
            channel: channel,
            logger: logger,
            continuation: continuation,
            isClientShutDown: isClientShutDown
        )
        // Fires on task cancellation and when the iterator (and with it the stream) is dropped.
        continuation.onTermination = { _ in listener.stop() }
        listener.start()
        return AsyncIterator(base: stream.makeAsyncIterator())
    }

    /// Iterates the notifications; returns `nil` once listening has stopped.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<PostgresNotification>.Iterator

        /// The next notification, waiting as long as needed.
        public mutating func next() async -> PostgresNotification? {
            await base.next()
        }
    }
}
