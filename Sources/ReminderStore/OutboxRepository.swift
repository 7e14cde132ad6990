import ReminderDomain

/// Reads and marks the outbox on behalf of the relay.
public protocol OutboxRepository: Sendable {
    /// Up to `limit` unpublished messages in id order.
    func fetchUnpublished(limit: Int) async throws -> [OutboxMessage]
    /// Marks the messages published; returns how many were still unmarked.
    @discardableResult
    func markPublished(ids: [Int64]) async throws -> Int
    /// Unpublished messages whose time has come (deferred ones are not counted).
    func backlog() async throws -> Int
}
