import Logging
import ServiceLifecycle
import Synchronization

/// A bounded pool of PostgreSQL connections, run as a `Service`.
///
/// Connections are opened lazily, at most ``PostgresConfiguration/maxConnections`` at once; further
/// callers wait in FIFO order. A connection that broke (e.g. the server restarted) is discarded
/// rather than reused, so the next caller gets a fresh one. Queries work as soon as the client
/// exists; ``run()`` ties its lifetime to a `ServiceGroup` and closes the pool at shutdown.
public final class PostgresClient: Service, Sendable {
    let configuration: PostgresConfiguration
    let logger: Logger
    private let state: Mutex<ConnectionPoolState>

    /// Creates the pool; no connection is opened until the first query.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(ConnectionPoolState(maxConnections: configuration.maxConnections))
    }

    /// Runs until graceful shutdown or cancellation, then fails waiting callers and closes idle
    /// connections (connections in use are closed when they are returned).
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }

    /// Opens one connection and closes it again; the error says where it tried and why it failed.
    public func checkConnection() async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
        connection.close()
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ bindings: [any PostgresBindable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, bindings) }
    }

    /// Lends a connection to `body` and takes it back afterwards (an open transaction is rolled back).
    public func withConnection<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        let connection = try await leaseConnection()
        let result: Result<R, any Error>
        do {
            result = .success(try await body(connection))
        } catch {
            result = .failure(error)
        }
        await giveBack(connection)
        return try result.get()
    }

    /// Runs `body` inside `BEGIN` … `COMMIT` on a pooled connection; see
    /// ``PostgresConnection/withTransaction(_:)`` for how failures are reported.
    public func withTransaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await withConnection { try await $0.withTransaction(body) }
    }

    /// Bulk-loads rows through a pooled connection; see ``PostgresConnection/copyIn(table:columns:rows:)``.
    public func copyIn(table: String, columns: [String], rows: [[String?]]) async throws -> Int {
        try await withConnection { try await $0.copyIn(table: table, columns: columns, rows: rows) }
    }

    var isShutDown: Bool {
        state.withLock { $0.isClosed }
    }

    private func shutdown() {
        let (idle, waiters) = state.withLock { $0.close() }
        for waiter in waiters { waiter.resume(throwing: PostgresError.poolClosed) }
        for connection in idle { connection.close() }
        logger.debug("PostgreSQL pool closed", metadata: ["closed_idle_connections": "\(idle.count)"])
    }

    /// Waits for a turn (FIFO), then returns a healthy idle connection or opens a new one.
    private func leaseConnection() async throws -> PostgresConnection {
        let waiterID = state.withLock { $0.makeWaiterID() }
        let lease = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: ConnectionPoolState.Waiter) in
                let immediate = state.withLock {
                    $0.lease(waiterID: waiterID, continuation: continuation, isCancelled: Task.isCancelled)
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            state.withLock { $0.cancelWaiter(id: waiterID) }?.resume(throwing: CancellationError())
        }

        switch lease {
        case .existing(let connection):
            if connection.isHealthy() { return connection }
            // Broken while idle (e.g. the server restarted): replace it within the same slot.
            logger.debug("discarding a broken idle PostgreSQL connection")
            connection.close()
            return try await openConnectionInReservedSlot()
        case .openNew:
            return try await openConnectionInReservedSlot()
        }
    }

    private func openConnectionInReservedSlot() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: configuration, logger: logger)
        } catch {
            if let (waiter, lease) = state.withLock({ $0.openFailed() }) {
                waiter.resume(returning: lease)
            }
            throw error
        }
    }

    private func giveBack(_ connection: PostgresConnection) async {
        let reusable = await connection.resetForReuse()
        if !reusable {
            logger.debug("discarding a broken PostgreSQL connection")
        }
        let actions = state.withLock { $0.release(connection, reusable: reusable) }
        actions.close?.close()
        if let (waiter, lease) = actions.resume {
            waiter.resume(returning: lease)
        }
    }
}
