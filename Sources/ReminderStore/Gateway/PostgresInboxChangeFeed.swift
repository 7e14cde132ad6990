import Postgres

/// Inbox changes as PostgreSQL announces them: `LISTEN reminder_inbox`, which the inbox
/// triggers (migrations 098 and 106) notify, on a dedicated connection.
public struct PostgresInboxChangeFeed: InboxChangeFeed {
    /// The channel the inbox triggers notify on.
    static let channel = "reminder_inbox"

    let postgres: PostgresClient

    /// Listens (and probes) through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    public func changes() -> Changes {
        Changes(notifications: postgres.listen(on: Self.channel))
    }

    public func probe() async throws {
        try await postgres.query("SELECT pg_notify($1, 'probe')", [Self.channel])
    }

    /// The channel's notifications, read; a reconnect is ``InboxChange/missed``.
    public struct Changes: AsyncSequence, Sendable {
        public typealias Element = InboxChange
        public typealias Failure = Never

        let notifications: PostgresNotificationSequence

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: notifications.makeAsyncIterator())
        }

        /// Reads each notification as it comes.
        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: PostgresNotificationSequence.AsyncIterator

            /// The next change; `nil` once listening has stopped.
            public mutating func next() async -> InboxChange? {
                guard let notification = await base.next() else { return nil }
                return notification.isReconnect ? .missed : InboxChange(payload: notification.payload)
            }
        }
    }
}
