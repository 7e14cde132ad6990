/// Why ``PostgresConnection/withTransaction(_:)`` failed, with each step's
/// error kept apart: the body's, the `ROLLBACK`'s that followed it, or the
/// `COMMIT`'s.
///
/// Exactly one of ``bodyError`` and ``commitError`` is set. ``rollbackError``
/// is set only when the body failed and rolling back failed too (the
/// connection is then broken and is not reused). Its ``description`` carries
/// the underlying errors' descriptions, which never contain SQL or secrets.
public struct PostgresTransactionError: Error, Sendable, CustomStringConvertible {
    /// What the body threw; the transaction was rolled back (unless
    /// ``rollbackError`` says otherwise).
    public var bodyError: (any Error)?
    /// What `ROLLBACK` threw after the body failed.
    public var rollbackError: (any Error)?
    /// What `COMMIT` threw after the body succeeded. The server rolled the
    /// transaction back (e.g. a deferred constraint was violated), or, when
    /// the connection was lost, whether it committed is unknown.
    public var commitError: (any Error)?

    /// The body failed; `rollbackError` if rolling back failed as well.
    public init(bodyError: any Error, rollbackError: (any Error)? = nil) {
        self.bodyError = bodyError
        self.rollbackError = rollbackError
    }

    /// The body succeeded but `COMMIT` failed.
    public init(commitError: any Error) {
        self.commitError = commitError
    }

    /// The error the transaction failed with: the commit's, else the body's.
    public var underlying: any Error {
        commitError ?? bodyError!
    }

    /// Whether running the same transaction again may succeed, as far as this
    /// module can tell: the underlying error is a retriable ``PostgresError``
    /// (a lost connection, a serialization failure, a deadlock). A failed
    /// `ROLLBACK` does not change that: the work failed for the body's reason.
    public var isRetriable: Bool {
        switch underlying {
        case let error as PostgresError: error.isRetriable
        case let error as PostgresTransactionError: error.isRetriable
        default: false
        }
    }

    /// One line naming the step that failed and why.
    public var description: String {
        if let commitError { return "the transaction failed at COMMIT: \(commitError)" }
        let body = bodyError.map { "\($0)" } ?? "unknown"
        if let rollbackError { return "the transaction failed: \(body); its ROLLBACK failed too: \(rollbackError)" }
        return "the transaction failed and was rolled back: \(body)"
    }
}
