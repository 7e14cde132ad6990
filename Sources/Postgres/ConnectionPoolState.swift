/// The pool's bookkeeping, kept in a `Mutex` by ``PostgresClient``. Pure state transitions: the
/// caller performs the returned actions (resuming waiters, closing connections) outside the lock.
struct ConnectionPoolState {
    /// What a caller may do once it gets its turn.
    enum Lease: Sendable {
        /// Use this idle connection.
        case existing(PostgresConnection)
        /// A slot is reserved for the caller: open a new connection.
        case openNew
    }

    typealias Waiter = CheckedContinuation<Lease, any Error>

    let maxConnections: Int
    private(set) var idle: [PostgresConnection] = []
    /// Idle, leased and currently opening connections together; never above `maxConnections`.
    private(set) var openCount = 0
    private var waiters: [(id: Int, continuation: Waiter)] = []
    private var nextWaiterID = 0
    private(set) var isClosed = false

    init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    mutating func makeWaiterID() -> Int {
        nextWaiterID += 1
        return nextWaiterID
    }

    /// Either an immediate answer or `nil` when the caller was queued (FIFO) and will be resumed later.
    mutating func lease(waiterID: Int, continuation: Waiter, isCancelled: Bool) -> Result<Lease, any Error>? {
        if isClosed { return .failure(PostgresError.poolClosed) }
        if isCancelled { return .failure(CancellationError()) }
        if let connection = idle.popLast() { return .success(.existing(connection)) }
        if openCount < maxConnections {
            openCount += 1
            return .success(.openNew)
        }
        waiters.append((waiterID, continuation))
        return nil
    }

    /// Removes a cancelled caller from the queue; returns its continuation if it was still waiting.
    mutating func cancelWaiter(id: Int) -> Waiter? {
        guard let position = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: position).continuation
    }

    /// What to do after a leased connection comes back.
    struct ReleaseActions {
        var resume: (Waiter, Lease)?
        var close: PostgresConnection?
    }

    /// A reusable connection goes to the longest waiter or back to idle; a broken one frees its slot,
    /// which the longest waiter then uses to open a fresh connection.
    mutating func release(_ connection: PostgresConnection, reusable: Bool) -> ReleaseActions {
        guard reusable, !isClosed else {
            openCount -= 1
            return ReleaseActions(resume: slotFreed(), close: connection)
        }
        if !waiters.isEmpty {
            return ReleaseActions(resume: (waiters.removeFirst().continuation, .existing(connection)))
        }
        idle.append(connection)
        return ReleaseActions()
    }

    /// Opening a connection in a reserved slot failed: give the slot to the next waiter, if any.
    mutating func openFailed() -> (Waiter, Lease)? {
        openCount -= 1
        return slotFreed()
    }

    private mutating func slotFreed() -> (Waiter, Lease)? {
        guard !isClosed, !waiters.isEmpty, openCount < maxConnections else { return nil }
        openCount += 1
        return (waiters.removeFirst().continuation, .openNew)
    }

    /// Stops handing out connections: returns the idle connections to close and the waiters to fail.
    mutating func close() -> (idle: [PostgresConnection], waiters: [Waiter]) {
        isClosed = true
        let closedIdle = idle
        openCount -= idle.count
        idle = []
        let failed = waiters.map(\.continuation)
        waiters = []
        return (closedIdle, failed)
    }
}
