import ReminderDomain

/// Reads and marks the outbox on behalf of the relay.
public protocol OutboxRepository: Sendable {
    /// Up to `limit` unpublished, unquarantined rows that are due, in id
    /// order, leaving out `excluding` (rows already on their way to the
    /// broker); each row decoded on its own.
    func fetchUnpublished(limit: Int, excluding: [Int64]) async throws -> OutboxBatch
    /// Marks the messages published; returns how many were still unmarked.
    @discardableResult
    func markPublished(ids: [Int64]) async throws -> Int
    /// Records failed publications: each counts one attempt and keeps its
    /// reason; a final failure, or a row reaching `quarantineAfter` attempts,
    /// is quarantined (left out of ``fetchUnpublished(limit:excluding:)``
    /// until requeued). Any other is held back for `retryDelay`, doubled for
    /// each attempt before it (at most 5 minutes), so the rows behind it go
    /// on meanwhile. Rows published or quarantined meanwhile are left alone.
    func recordFailures(_ failures: [OutboxFailure], quarantineAfter: Int, retryDelay: Duration) async throws -> [OutboxAttempt]
    /// Unpublished, unquarantined messages whose time has come (deferred ones
    /// are not counted).
    func backlog() async throws -> Int
}
