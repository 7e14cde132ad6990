extension PostgresConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT` on this connection.
    ///
    /// If `body` throws, the transaction is rolled back and a
    /// ``PostgresTransactionError`` carrying the body's error is thrown (with
    /// the `ROLLBACK`'s error too, if that failed); if `COMMIT` fails, one
    /// carrying the commit's error. A failing `BEGIN` throws its own
    /// ``PostgresError``: nothing ran.
    public func withTransaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await simpleQuery("BEGIN")
        let value: R
        do {
            value = try await body(self)
        } catch {
            do {
                try await simpleQuery("ROLLBACK")
            } catch let rollbackError {
                // The connection is broken; a pool discards it on return.
                throw PostgresTransactionError(bodyError: error, rollbackError: rollbackError)
            }
            throw PostgresTransactionError(bodyError: error)
        }
        do {
            try await simpleQuery("COMMIT")
        } catch {
            throw PostgresTransactionError(commitError: error)
        }
        return value
    }
}
