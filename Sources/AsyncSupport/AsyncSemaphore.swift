import Synchronization

/// At most `permits` bodies run at once; further callers wait their turn in
/// arrival order. Cancelling a waiting task does not take its turn away: the
/// body then runs and sees the cancellation itself.
///
/// With `demandPerPermit` above one, the permits open with the demand: while
/// `n` callers are running or waiting, `⌈n / demandPerPermit⌉` of them run
/// (at least one, at most `permits`). A short queue then goes one at a time,
/// and only a backlog is worked on in parallel — for work where each running
/// body is also a risk, such as a send a crash would repeat.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        let permits: Int
        let demandPerPermit: Int

        /// How many may run while `demand` callers run or wait.
        func allowed(demand: Int) -> Int {
            min(permits, max(1, (demand + demandPerPermit - 1) / demandPerPermit))
        }

        /// Takes the waiters that may start now off the queue, oldest first.
        mutating func admit() -> [CheckedContinuation<Void, Never>] {
            var admitted: [CheckedContinuation<Void, Never>] = []
            while !waiters.isEmpty, running < allowed(demand: running + waiters.count) {
                running += 1
                admitted.append(waiters.removeFirst())
            }
            return admitted
        }
    }

    private let state: Mutex<State>

    /// A semaphore with `permits` (at least one), opened one per
    /// `demandPerPermit` callers (at least one; one means all at once).
    public init(permits: Int, demandPerPermit: Int = 1) {
        state = Mutex(State(permits: max(1, permits), demandPerPermit: max(1, demandPerPermit)))
    }

    /// Bodies running now, and callers waiting for a permit.
    public var occupancy: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiters.count) } }

    /// Runs `body` once a permit is free and gives the permit back afterwards.
    public func withPermit<R: Sendable>(_ body: () async throws -> R) async rethrows -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state in
                state.waiters.append(waiter)
                return state.admit()
            }
            for next in admitted { next.resume() }
        }
    }

    private func release() {
        let admitted = state.withLock { state in
            state.running -= 1
            return state.admit()
        }
        for next in admitted { next.resume() }
    }
}
