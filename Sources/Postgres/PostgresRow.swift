/// One result row; values are PostgreSQL's text output, decoded on demand.
public struct PostgresRow: Sendable {
    private let storage: PostgresRows.Storage
    private let row: Int

    init(storage: PostgresRows.Storage, row: Int) {
        self.storage = storage
        self.row = row
    }

    /// The column names in result order.
    public var columns: [String] { storage.columns }

    /// The column's text, or `nil` when it is SQL NULL or there is no such column.
    public subscript(column: String) -> String? {
        guard let position = storage.columnIndex[column] else { return nil }
        return storage.values[row * storage.columns.count + position]
    }

    /// Decodes a column that must not be NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decode(column, as: Optional<T>.self) else {
            throw PostgresError.decoding("column \"\(column)\" is NULL but \(T.self) was expected")
        }
        return value
    }

    /// Decodes a column that may be NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: Optional<T>.Type) throws -> T? {
        guard let position = storage.columnIndex[column] else {
            throw PostgresError.decoding("the result has no column \"\(column)\"")
        }
        guard let text = storage.values[row * storage.columns.count + position] else { return nil }
        do {
            return try T(postgresText: text)
        } catch let error as PostgresError {
            // The value itself is left out: it may be personal data.
            throw PostgresError.decoding("column \"\(column)\" cannot be read as \(T.self): \(error.message)")
        }
    }
}
