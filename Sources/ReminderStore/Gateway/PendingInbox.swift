import Foundation

/// A user's pending list.
public struct PendingInbox: Sendable, Equatable {
    /// The newest pending entry per live reminder, newest first.
    public var entries: [InboxEntry]
    /// The earliest end of a running snooze among the user's open entries.
    public var nextRelease: Date?

    /// A pending list.
    public init(entries: [InboxEntry], nextRelease: Date?) {
        self.entries = entries
        self.nextRelease = nextRelease
    }
}
