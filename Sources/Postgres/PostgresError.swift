/// The one error type of the `Postgres` module.
///
/// Its ``description`` is a single line that never contains SQL text or a password, so it is safe to log.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case connection, query, decoding, encoding, poolClosed, timeout
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The connection could not be established or was lost.
        public static let connection = Code(.connection)
        /// The server rejected a statement; ``PostgresError/sqlState`` says why.
        public static let query = Code(.query)
        /// A column's text could not be turned into the requested Swift type.
        public static let decoding = Code(.decoding)
        /// A value could not be sent (e.g. it contains a NUL character).
        public static let encoding = Code(.encoding)
        /// The client has shut down and hands out no more connections.
        public static let poolClosed = Code(.poolClosed)
        /// Connecting took longer than the configured timeout.
        public static let timeout = Code(.timeout)

        /// The code's name, e.g. `connection`.
        public var description: String { kind.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE the server reported, if any (e.g. `23505`).
    public var sqlState: String?
    /// A human-readable explanation without SQL text or secrets.
    public var message: String
    /// Whether running the same work again (on a fresh connection) may succeed.
    public var isRetriable: Bool

    /// Creates an error; `PostgresDecodable` conformances outside this module may throw these too.
    public init(code: Code, message: String, sqlState: String? = nil, isRetriable: Bool = false) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.isRetriable = isRetriable
    }

    /// One line: the message, followed by the SQLSTATE when there is one.
    public var description: String {
        if let sqlState {
            return "\(message) (SQLSTATE \(sqlState))"
        }
        return message
    }
}

extension PostgresError {
    /// SQLSTATEs after which the same transaction may succeed when simply run again:
    /// serialization failures, deadlocks, and the server shutting down or refusing connections for now.
    static func isRetriable(sqlState: String) -> Bool {
        switch sqlState {
        case "40001", "40P01", "57P01", "57P02", "57P03", "53300":
            return true
        default:
            // Class 08: connection exceptions.
            return sqlState.hasPrefix("08")
        }
    }

    static func decoding(_ message: String) -> PostgresError {
        PostgresError(code: .decoding, message: message)
    }

    static func encoding(_ message: String) -> PostgresError {
        PostgresError(code: .encoding, message: message)
    }

    static let poolClosed = PostgresError(code: .poolClosed, message: "the PostgreSQL client has shut down")

    static let connectionClosed = PostgresError(
        code: .connection,
        message: "the PostgreSQL connection was closed",
        isRetriable: true
    )
}
