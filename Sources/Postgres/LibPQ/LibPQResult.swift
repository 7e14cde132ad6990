import Foundation
internal import CLibPQ

/// Owns one `PGresult` (possibly NULL, which libpq returns when it could not even send the query).
final class LibPQResult {
    private let handle: OpaquePointer?
    private let connection: LibPQConnection

    init(_ handle: OpaquePointer?, connection: LibPQConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        if let handle { PQclear(handle) }
    }

    var status: ExecStatusType {
        guard let handle else { return PGRES_FATAL_ERROR }
        return PQresultStatus(handle)
    }

    /// The rows of a successful result, or the error it carries.
    func rows() throws -> PostgresRows {
        guard let handle else {
            throw connection.connectionError(prefix: "sending a statement to PostgreSQL failed")
        }
        switch PQresultStatus(handle) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return extractRows(handle)
        default:
            throw error(handle)
        }
    }

    private func extractRows(_ handle: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(handle))
        let rowCount = Int(PQntuples(handle))
        let columns = (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
        var values: [String?] = []
        values.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(handle, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(handle, row, column)))
                }
            }
        }
        let affected = PQcmdTuples(handle).map { String(cString: $0) }.flatMap { Int($0) } ?? 0
        return PostgresRows(columns: columns, values: values, affectedRows: affected)
    }

    /// An error from the result: a lost connection is retriable; otherwise the SQLSTATE decides.
    private func error(_ handle: OpaquePointer) -> PostgresError {
        let sqlState = PQresultErrorField(handle, clibpq_diag_sqlstate()).map { String(cString: $0) }
        let primary = PQresultErrorField(handle, clibpq_diag_message_primary()).map { String(cString: $0) }
        if !connection.isConnected {
            let reason = primary.map { connection.scrub($0) } ?? connection.errorMessage
            return PostgresError(
                code: .connection,
                message: "the connection to PostgreSQL was lost: \(reason)",
                sqlState: sqlState,
                isRetriable: true
            )
        }
        var message = primary.map { connection.scrub(oneLineText($0)) } ?? connection.errorMessage
        // Syntax errors quote the offending SQL fragment; SQL text never goes into errors.
        if sqlState == "42601" { message = "syntax error in SQL statement" }
        return PostgresError(
            code: .query,
            message: "PostgreSQL rejected the statement: \(message)",
            sqlState: sqlState,
            isRetriable: sqlState.map(PostgresError.isRetriable(sqlState:)) ?? false
        )
    }

    private func oneLineText(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
