/// The result of one statement: its rows (in text format) and how many rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Rows are addressed by their position, starting at 0.
    public typealias Index = Int

    /// Shared by all rows of one result, so a row is just a reference and an offset.
    final class Storage: Sendable {
        let columns: [String]
        let columnIndex: [String: Int]
        let values: [String?]

        init(columns: [String], values: [String?]) {
            self.columns = columns
            self.values = values
            var index: [String: Int] = [:]
            for (position, name) in columns.enumerated() where index[name] == nil {
                index[name] = position
            }
            self.columnIndex = index
        }
    }

    private let storage: Storage

    /// The number of rows the command reported (inserted, updated, deleted, copied or selected).
    public var affectedRows: Int

    init(columns: [String], values: [String?], affectedRows: Int) {
        self.storage = Storage(columns: columns, values: values)
        self.affectedRows = affectedRows
    }

    /// The column names in result order.
    public var columns: [String] { storage.columns }

    /// Always 0.
    public var startIndex: Int { 0 }

    /// The number of rows.
    public var endIndex: Int {
        storage.columns.isEmpty ? 0 : storage.values.count / storage.columns.count
    }

    /// The row at `position`.
    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index out of range")
        return PostgresRow(storage: storage, row: position)
    }
}
