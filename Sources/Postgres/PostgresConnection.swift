import Dispatch
import Logging
import Synchronization

/// One PostgreSQL connection. Its libpq calls run one at a time on the connection's own serial
/// `DispatchQueue`, so blocking I/O never occupies Swift's cooperative thread pool.
public final class PostgresConnection: Sendable {
    private let libpq: LibPQConnection
    private let queue: DispatchQueue
    private let state: Mutex<State>
    let logger: Logger

    private struct State {
        var isBroken = false
        var isClosed = false
        /// Whether the session was outside any transaction after the last call;
        /// read on the queue at the end of each call, so handing the connection
        /// back costs no second trip to that queue.
        var isIdle = true
    }

    private init(libpq: LibPQConnection, queue: DispatchQueue, logger: Logger) {
        self.libpq = libpq
        self.queue = queue
        self.state = Mutex(State())
        self.logger = logger
    }

    /// Opens a connection with `application_name` and `TimeZone=UTC` set for the session.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresConnection {
        let queue = DispatchQueue(label: "Postgres.PostgresConnection")
        let libpq: LibPQConnection
        do {
            libpq = try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try LibPQConnection.connect(configuration: configuration, logger: logger) })
                }
            }
        } catch {
            logger.warning("PostgreSQL connection failed", metadata: ["error": "\(error)"])
            throw error
        }
        logger.debug("PostgreSQL connection opened", metadata: ["application_name": "\(configuration.applicationName)"])
        return PostgresConnection(libpq: libpq, queue: queue, logger: logger)
    }

    /// Runs one statement with text-format parameters `$1`, `$2`, … (PQexecParams).
    @discardableResult
    public func query(_ sql: String, _ bindings: [any PostgresBindable] = []) async throws -> PostgresRows {
        let parameters = bindings.map(\.postgresText)
        return try await onQueue { try $0.execute(sql, parameters: parameters) }
    }

    /// Runs one or more `;`-separated statements without parameters (PQexec), e.g. a migration file.
    public func simpleQuery(_ sql: String) async throws {
        try await onQueue { try $0.executeScript(sql) }
    }

    /// Changes how this session plans its statements from now on. The
    /// settings are fixed names and values, never caller text.
    public func setStatementPlanning(_ planning: StatementPlanning) async throws {
        try await simpleQuery(planning.settings.map { "SET \($0.name) = \($0.value)" }.joined(separator: "; "))
    }

    /// Whether the connection failed in a way that makes it useless (lost socket) or was closed.
    public var isBroken: Bool {
        state.withLock { $0.isBroken || $0.isClosed }
    }

    /// Closes the connection; statements issued afterwards fail with a `.connection` error.
    public func close() {
        let wasClosed = state.withLock { state in
            defer { state.isClosed = true }
            return state.isClosed
        }
        guard !wasClosed else { return }
        let libpq = self.libpq
        queue.async { libpq.finish() }
    }

    /// Runs `body` on the connection's queue and records whether the connection survived it.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        guard !state.withLock({ $0.isClosed }) else { throw PostgresError.connectionClosed }
        let libpq = self.libpq
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let result = Result { try body(libpq) }
                let isConnected = libpq.isConnected
                let isIdle = isConnected && libpq.transactionState == .idle
                self.state.withLock { state in
                    if !isConnected { state.isBroken = true }
                    state.isIdle = isIdle
                }
                continuation.resume(with: result)
            }
        }
    }
}

extension PostgresConnection {
    /// Cheap check before a pooled connection is handed out again: reads anything the server sent
    /// while it was idle (e.g. a termination notice). Only for a connection nobody else holds.
    ///
    /// It runs on the caller's thread: `PQconsumeInput` never blocks (libpq keeps its socket
    /// non-blocking and reads only what has arrived), and a trip to the connection's queue for it
    /// woke two threads on every lease.
    func isHealthy() -> Bool {
        guard !isBroken else { return false }
        let healthy = libpq.consumeInput()
        if !healthy { state.withLock { $0.isBroken = true } }
        return healthy
    }

    /// Brings the session back to "outside a transaction" so the next user starts clean;
    /// returns false when the connection should be discarded instead.
    func resetForReuse() async -> Bool {
        let (broken, idle) = state.withLock { ($0.isBroken || $0.isClosed, $0.isIdle) }
        guard !broken else { return false }
        if idle { return true }
        let reusable = (try? await onQueue { libpq -> Bool in
            switch libpq.transactionState {
            case .idle:
                return true
            case .inTransaction:
                _ = try libpq.execute("ROLLBACK", parameters: [])
                return libpq.transactionState == .idle
            case .unusable:
                return false
            }
        }) ?? false
        return reusable && !isBroken
    }
}
