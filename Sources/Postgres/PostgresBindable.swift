/// A value that can be sent as a statement parameter in PostgreSQL's text format.
public protocol PostgresBindable: Sendable {
    /// The value as PostgreSQL input text, or `nil` for SQL `NULL`.
    var postgresText: String? { get }
}
