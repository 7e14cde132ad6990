/// Where the gateway hears of inbox changes, from every writer (delivery workers, other
/// gateways, reminders stopped in the database).
public protocol InboxChangeFeed: Sendable {
    /// The changes as they are announced.
    associatedtype Changes: AsyncSequence<InboxChange, Never> & Sendable
    /// Starts listening; the sequence ends when the iterating task is cancelled.
    func changes() -> Changes
    /// Announces an ``InboxChange/other`` to every listener, which proves a listener hears.
    func probe() async throws
}
