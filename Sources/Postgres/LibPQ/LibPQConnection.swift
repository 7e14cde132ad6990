import Foundation
import Logging
internal import CLibPQ

/// Owns one `PGconn`. Every method blocks and must only be called from the single thread or serial
/// queue that owns the instance (libpq connections are not thread-safe); hence `@unchecked Sendable`:
/// it is moved between threads, never used from two at once.
final class LibPQConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Used to scrub the password from any text libpq hands back.
    private let password: String?
    /// The statements prepared on this session (prepared statements outlive
    /// transactions and end with the session).
    private var preparedStatements = PreparedStatements()
    /// Receives server notices; must outlive `handle`, which points at it unretained.
    private let noticeSink: NoticeSink

    private init(handle: OpaquePointer, password: String?, logger: Logger) {
        self.handle = handle
        self.password = password
        self.noticeSink = NoticeSink(logger: logger)
        // Without a receiver libpq prints notices (and asynchronous FATAL messages) to stderr.
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
            let message = PQresultErrorField(result, clibpq_diag_message_primary()).map { String(cString: $0) } ?? ""
            let severity = PQresultErrorField(result, clibpq_diag_severity()).map { String(cString: $0) } ?? "NOTICE"
            sink.logger.debug("PostgreSQL notice", metadata: ["severity": "\(severity)", "notice": "\(message)"])
        }, Unmanaged.passUnretained(noticeSink).toOpaque())
    }

    /// Holds what the C notice callback needs; handed to libpq as an opaque pointer.
    private final class NoticeSink {
        let logger: Logger

        init(logger: Logger) {
            self.logger = logger
        }
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection (blocking up to the connect timeout) with the session in UTC and UTF-8.
    static func connect(configuration: PostgresConfiguration, logger: Logger) throws -> LibPQConnection {
        let target = try ConnectionTarget(url: configuration.url)
        let timeoutSeconds = max(2, Int((Double(configuration.connectTimeout.components.seconds)
            + Double(configuration.connectTimeout.components.attoseconds) / 1e18).rounded(.up)))
        // The URI comes first and is expanded (expand_dbname = 1); later keywords override it.
        let parameters: [(String, String)] = [
            ("dbname", configuration.url),
            ("application_name", configuration.applicationName),
            ("connect_timeout", String(timeoutSeconds)),
            ("client_encoding", "UTF8"),
            ("options", (["-c TimeZone=UTC"] + configuration.statementPlanning.settings.map { "-c \($0.name)=\($0.value)" })
                .joined(separator: " ")),
        ]
        let handle = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else {
            throw PostgresError(code: .connection, message: "libpq could not allocate a connection", isRetriable: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = target.scrub(oneLine(PQerrorMessage(handle)))
            let host = PQhost(handle).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? target.host ?? "localhost"
            let port = PQport(handle).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? target.port ?? "5432"
            let database = PQdb(handle).map { String(cString: $0) } ?? target.database ?? "?"
            let user = PQuser(handle).map { String(cString: $0) } ?? target.user ?? "?"
            PQfinish(handle)
            let timedOut = reason.contains("timeout expired")
            throw PostgresError(
                code: timedOut ? .timeout : .connection,
                message: "cannot connect to PostgreSQL at \(host):\(port) (database \(database), user \(user)): \(reason)",
                isRetriable: true
            )
        }
        return LibPQConnection(handle: handle, password: target.password, logger: logger)
    }

    /// Whether libpq still considers the connection usable.
    var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the session is outside any transaction and not busy (e.g. mid-COPY).
    var transactionState: TransactionState {
        guard let handle else { return .unusable }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_INTRANS, PQTRANS_INERROR: return .inTransaction
        default: return .unusable
        }
    }

    enum TransactionState {
        case idle, inTransaction, unusable
    }

    /// Reads whatever the server sent meanwhile without blocking; notices a closed socket early.
    func consumeInput() -> Bool {
        guard let handle else { return false }
        return PQconsumeInput(handle) == 1 && PQstatus(handle) == CONNECTION_OK
    }

    /// Waits up to `timeoutMilliseconds` for the server to send something; true when data is ready.
    func waitForInput(timeoutMilliseconds: Int32) throws -> Bool {
        guard let handle else { throw PostgresError.connectionClosed }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionError(prefix: "the connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 {
            // EINTR: a signal interrupted the wait; the caller simply polls again.
            guard errno == EINTR else { throw connectionError(prefix: "waiting for PostgreSQL failed") }
            return false
        }
        return ready > 0
    }

    /// Closes the connection now; later calls fail as "connection closed".
    func finish() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// One statement with text-format parameters (`$1`, `$2`, …); `nil` parameters are SQL NULL.
    func execute(_ sql: String, parameters: [String?]) throws -> PostgresRows {
        let handle = try requireHandle()
        // A byte scan: Foundation's substring search over large JSON parameters was a measured cost.
        guard !sql.utf8.contains(0), parameters.allSatisfy({ $0?.utf8.contains(0) != true }) else {
            throw PostgresError.encoding("a statement or parameter contains a NUL character")
        }
        let name = try preparedName(of: sql, parameterCount: parameters.count, handle: handle)
        let result = withCStringArray(parameters, terminated: false) { values in
            if let name {
                PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
            } else {
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        }
        do {
            return try LibPQResult(result, connection: self).rows()
        } catch let error as PostgresError where name != nil && error.sqlState == "0A000" {
            // "cached plan must not change result type": a table the statement reads
            // changed shape. Prepared afresh, under a new name, on its next use.
            preparedStatements.forget(sql)
            throw error
        }
    }

    /// The name of `sql` prepared on this session, preparing it on first use;
    /// nil for statements without parameters (transaction control, scripts)
    /// and once the cache is full. Parsing the pipeline's statements again on
    /// every call was a measured share of PostgreSQL's CPU.
    private func preparedName(of sql: String, parameterCount: Int, handle: OpaquePointer) throws -> String? {
        guard parameterCount > 0 else { return nil }
        if let name = preparedStatements.name(of: sql) { return name }
        guard let name = preparedStatements.reserveName() else { return nil }
        _ = try LibPQResult(PQprepare(handle, name, sql, Int32(parameterCount), nil), connection: self).rows()
        preparedStatements.remember(sql, as: name)
        return name
    }

    /// Several statements without parameters (PQexec), e.g. a migration file.
    func executeScript(_ sql: String) throws {
        let handle = try requireHandle()
        guard !sql.utf8.contains(0) else { throw PostgresError.encoding("a statement contains a NUL character") }
        _ = try LibPQResult(PQexec(handle, sql), connection: self).rows()
    }

    /// Runs a `COPY … FROM STDIN` statement and streams `payload` (already in COPY text format).
    func copyIn(statement: String, payload: [UInt8]) throws -> Int {
        let handle = try requireHandle()
        let start = LibPQResult(PQexec(handle, statement), connection: self)
        guard start.status == PGRES_COPY_IN else {
            _ = try start.rows()
            throw PostgresError(code: .query, message: "the server did not start COPY FROM STDIN")
        }
        let chunkSize = 64 * 1024
        var sendFailed = false
        payload.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let length = min(chunkSize, buffer.count - offset)
                let sent = base.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: length) {
                    PQputCopyData(handle, $0, Int32(length))
                }
                if sent != 1 {
                    sendFailed = true
                    return
                }
                offset += length
            }
        }
        if sendFailed || PQputCopyEnd(handle, nil) != 1 {
            // The connection failed mid-stream; the pending result (if any) carries the reason.
            discardResults(handle)
            throw connectionError(prefix: "sending COPY data failed")
        }
        return try drainResults(handle)?.affectedRows ?? 0
    }

    /// Collects results until libpq reports none are left; the last one decides success.
    @discardableResult
    private func drainResults(_ handle: OpaquePointer) throws -> PostgresRows? {
        var outcome: Result<PostgresRows, Error>?
        while let next = PQgetResult(handle) {
            let result = LibPQResult(next, connection: self)
            if case .failure = outcome { continue }  // keep the first error
            outcome = Result { try result.rows() }
        }
        return try outcome?.get()
    }

    private func discardResults(_ handle: OpaquePointer) {
        while let next = PQgetResult(handle) { PQclear(next) }
    }

    /// The next pending `NOTIFY` delivered to this session, if any.
    func nextNotification() -> (channel: String, payload: String)? {
        guard let handle, let notify = PQnotifies(handle) else { return nil }
        defer { PQfreemem(notify) }
        let channel = String(cString: notify.pointee.relname)
        let payload = notify.pointee.extra.map { String(cString: $0) } ?? ""
        return (channel, payload)
    }

    /// The connection's current error text, one line, without the password.
    var errorMessage: String {
        guard let handle else { return "connection closed" }
        return scrub(oneLine(PQerrorMessage(handle)))
    }

    func connectionError(prefix: String) -> PostgresError {
        PostgresError(code: .connection, message: "\(prefix): \(errorMessage)", isRetriable: true)
    }

    func scrub(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    private func requireHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError.connectionClosed }
        return handle
    }
}

/// Turns libpq's multi-line messages (`…failed: reason\n\tHint…\n`) into one line.
func oneLine(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown error" }
    let text = String(cString: message)
    let parts = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" })
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
    return parts.isEmpty ? "unknown error" : parts.joined(separator: " ")
}

/// Calls `body` with a C array of C strings (NULL-terminated unless `terminated` is false; `nil`
/// entries stay NULL), freeing the copies afterwards.
func withCStringArray<R>(
    _ strings: [String?],
    terminated: Bool = true,
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
) rethrows -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    if terminated { pointers.append(nil) }
    if pointers.isEmpty { return try body(nil) }
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
}
