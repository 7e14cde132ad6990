import Postgres

/// The one error type of the store: what went wrong, in words free of SQL and
/// secrets, and whether trying again may help.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// A file or setting the store reads is wrong.
        public static let configuration = Code(name: "configuration")
        /// An applied migration differs from the file on disk.
        public static let migrationChanged = Code(name: "migration changed")
        /// A row that must exist does not.
        public static let notFound = Code(name: "not found")
        /// The database answered with something the store cannot read.
        public static let unexpectedData = Code(name: "unexpected data")
        /// The kind's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String
    /// Whether trying again may succeed.
    public var isRetriable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, isRetriable: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
    }

    /// The message.
    public var description: String { message }

    /// Whether an error thrown by the store (its own, or the database's)
    /// may go away if the same work is tried again: a lost connection or a
    /// serialization failure, not bad data.
    public static func isRetriable(_ error: any Error) -> Bool {
        switch error {
        case let error as StoreError: error.isRetriable
        case let error as PostgresError: error.isRetriable
        case let error as PostgresTransactionError: isRetriable(error.underlying)
        default: false
        }
    }

    /// The error a failed transaction is reported with: the body's own when
    /// it was rolled back cleanly, else the transaction error itself (a
    /// failed `COMMIT`, or a `ROLLBACK` that failed too).
    static func surfaced(_ error: PostgresTransactionError) -> any Error {
        if let body = error.bodyError, error.rollbackError == nil { return body }
        return error
    }
}
