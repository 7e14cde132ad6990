extension PostgresConnection {
    /// Bulk-loads `rows` with `COPY table (columns) FROM STDIN` in text format; `nil` fields are NULL.
    ///
    /// `table` may be schema-qualified (`schema.table`); every name is quoted as an identifier.
    /// Returns the number of rows the server copied.
    public func copyIn(table: String, columns: [String], rows: [[String?]]) async throws -> Int {
        guard !columns.isEmpty else { throw PostgresError.encoding("COPY needs at least one column") }
        let quotedColumns = try columns.map(SQLIdentifier.quote).joined(separator: ", ")
        let statement = "COPY \(try SQLIdentifier.quoteQualified(table)) (\(quotedColumns)) FROM STDIN"
        let payload = try CopyTextEncoder.encode(rows: rows, columnCount: columns.count)
        return try await onQueue { try $0.copyIn(statement: statement, payload: payload) }
    }
}
