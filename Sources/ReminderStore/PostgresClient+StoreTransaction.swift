import Postgres

extension PostgresClient {
    /// The store's transactions: ``PostgresClient/withTransaction(_:)`` with
    /// the body's own error rethrown as it is when the transaction was rolled
    /// back cleanly, so callers keep catching their own error types. A failed
    /// `COMMIT`, or a `ROLLBACK` that failed after the body, stays a
    /// `PostgresTransactionError` (``StoreError/isRetriable(_:)`` looks inside).
    func inTransaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        do {
            return try await withTransaction(body)
        } catch let error as PostgresTransactionError {
            throw StoreError.surfaced(error)
        }
    }
}

extension PostgresConnection {
    /// ``PostgresConnection/withTransaction(_:)`` surfacing errors as
    /// ``PostgresClient/inTransaction(_:)`` does.
    func inTransaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        do {
            return try await withTransaction(body)
        } catch let error as PostgresTransactionError {
            throw StoreError.surfaced(error)
        }
    }
}
