/// A value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable: Sendable {
    /// Parses the column's text; throws a ``PostgresError`` with code `.decoding` when it does not fit.
    init(postgresText: String) throws
}
