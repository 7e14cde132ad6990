import ReminderDomain

/// Reads and marks the outbox on behalf of the relay.
public protocol OutboxRepository: Sendable {
    /// Up to `limit` unpublished messages in id order, leaving out `excluding`
    /// (rows already on their way to the broker).
    func fetchUnpublished(limit: Int, excluding: [Int64]) async throws -> [OutboxMessage]
    /// Marks the messages published; returns how many were still unmarked.
    @discardableResult
    func markPublished(ids: [Int64]) async throws -> Int
    /// Unpublished messages whose time has come (deferred ones are not counted).
    func backlog() async throws -> Int
}
