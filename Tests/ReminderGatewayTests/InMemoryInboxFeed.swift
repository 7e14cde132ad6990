import ReminderStore

/// Inbox changes a test announces itself; a probe is heard at once, as on a working listener.
final class InMemoryInboxFeed: InboxChangeFeed {
    private let stream: AsyncStream<InboxChange>
    private let continuation: AsyncStream<InboxChange>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: InboxChange.self)
    }

    /// The one listener's sequence (a notifier listens once).
    func changes() -> AsyncStream<InboxChange> {
        stream
    }

    func probe() async throws {
        announce(.other)
    }

    /// Announces `change` to the listener.
    func announce(_ change: InboxChange) {
        continuation.yield(change)
    }
}
