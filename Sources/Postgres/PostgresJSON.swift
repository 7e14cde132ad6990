/// JSON text bound to or read from a `json`/`jsonb` column, kept as text (no parsing here).
public struct PostgresJSON: PostgresBindable, PostgresDecodable, Hashable {
    /// The JSON document as text.
    public var text: String

    /// Wraps JSON text.
    public init(_ text: String) {
        self.text = text
    }

    /// Reads the column's JSON text as is.
    public init(postgresText: String) throws {
        self.text = postgresText
    }

    /// The JSON text; the server validates it.
    public var postgresText: String? { text }
}
