import Synchronization

/// A level-triggered wake-up: `signal()` either wakes the task waiting in
/// `wait(upTo:)` or is remembered for the next wait, so a wake-up that arrives
/// while its owner is busy is never lost.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A signal with nothing pending.
    public init() {}

    /// Wakes the waiter, or marks the signal pending.
    public func signal() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        continuation?.resume()
    }

    /// Whether a signal was pending; clears it without waiting.
    public func takePending() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Returns when signalled (now, if a signal is pending), after `timeout`,
    /// or when the task is cancelled; whether it was signalled (or cancelled)
    /// rather than timed out.
    @discardableResult
    public func wait(upTo timeout: Duration) async -> Bool {
        if takePending() { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled
            }
            group.addTask {
                await self.waitForSignal()
                return true
            }
            let signalled = await group.next() ?? true
            group.cancelAll()
            return signalled
        }
    }

    private func waitForSignal() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            continuation?.resume()
        }
    }
}
