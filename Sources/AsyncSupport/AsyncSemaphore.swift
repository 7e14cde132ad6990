import Synchronization

/// At most `permits` bodies run at once; further callers wait their turn in
/// arrival order. Cancelling a waiting task does not take its turn away: the
/// body then runs and sees the cancellation itself.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// A semaphore with `permits` (at least one).
    public init(permits: Int) {
        state = Mutex(State(available: max(1, permits)))
    }

    /// Runs `body` once a permit is free and gives the permit back afterwards.
    public func withPermit<R: Sendable>(_ body: () async throws -> R) async rethrows -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(waiter)
                return false
            }
            if granted { waiter.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
