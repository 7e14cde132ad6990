import Foundation

/// Quotes identifiers (table, column, channel names) so they are never interpreted as SQL.
enum SQLIdentifier {
    /// `"name"` with embedded double quotes doubled.
    static func quote(_ identifier: String) throws -> String {
        guard !identifier.isEmpty, !identifier.contains("\0") else {
            throw PostgresError.encoding("an identifier is empty or contains a NUL character")
        }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Quotes each dot-separated part, so `schema.table` stays schema-qualified.
    static func quoteQualified(_ name: String) throws -> String {
        try name.split(separator: ".", omittingEmptySubsequences: false).map { try quote(String($0)) }.joined(separator: ".")
    }
}
