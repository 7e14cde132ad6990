import Dispatch
import Synchronization

/// A libcurl easy handle together with the serial queue that runs its blocking transfers.
///
/// `@unchecked Sendable`: the handle is touched only inside `queue`, and the pool lends a
/// worker to one request at a time.
final class CurlWorker: @unchecked Sendable {
    private let handle: CurlEasyHandle
    private let queue: DispatchQueue

    init(handle: CurlEasyHandle, label: String) {
        self.handle = handle
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the worker's own queue, off Swift's cooperative pool, because
    /// `curl_easy_perform` blocks its thread for the whole transfer.
    func run<Result: Sendable>(_ work: @escaping @Sendable (CurlEasyHandle) throws -> Result) async throws -> Result {
        try await queue.runBlocking { try work(self.handle) }
    }
}

/// Lends up to `capacity` workers, creating them lazily and keeping them (and with them
/// their open connections) for later requests. Callers beyond the capacity wait in order.
final class CurlHandlePool: Sendable {
    private struct State {
        /// Most recently returned last, so the warmest connection is reused first.
        var idle: [CurlWorker] = []
        var created = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<CurlWorker, any Error>)] = []
        var nextWaiterID: UInt64 = 0
    }

    private let capacity: Int
    private let label: String
    private let state = Mutex(State())

    init(capacity: Int, label: String) {
        self.capacity = max(1, capacity)
        self.label = label
    }

    /// Runs `work` on a lent handle; a cancelled task aborts its transfer via `CurlCancellation`.
    func withHandle<Result: Sendable>(
        _ work: @escaping @Sendable (CurlEasyHandle, CurlCancellation) throws -> Result
    ) async throws -> Result {
        let worker = try await acquire()
        defer { release(worker) }
        let cancellation = CurlCancellation()
        return try await withTaskCancellationHandler {
            try await worker.run { handle in try work(handle, cancellation) }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private enum Acquisition {
        case ready(CurlWorker)
        case create(index: Int)
        case wait
    }

    private func acquire() async throws -> CurlWorker {
        try Task.checkCancellation()
        let acquisition: Acquisition = state.withLock { state in
            if let worker = state.idle.popLast() { return .ready(worker) }
            if state.created < capacity {
                state.created += 1
                return .create(index: state.created)
            }
            return .wait
        }
        switch acquisition {
        case .ready(let worker):
            return worker
        case .create(let index):
            do {
                return CurlWorker(handle: try CurlEasyHandle.make(), label: "\(label).\(index)")
            } catch {
                state.withLock { $0.created -= 1 }
                throw error
            }
        case .wait:
            return try await waitForWorker()
        }
    }

    private func waitForWorker() async throws -> CurlWorker {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CurlWorker, any Error>) in
                let immediate: CurlWorker?? = state.withLock { state in
                    // Checked under the lock: the cancellation handler either ran before
                    // (then the task is already marked cancelled) or will find this waiter.
                    if Task.isCancelled { return .some(nil) }
                    if let worker = state.idle.popLast() { return .some(worker) }
                    state.waiters.append((id, continuation))
                    return .none
                }
                switch immediate {
                case .some(.some(let worker)): continuation.resume(returning: worker)
                case .some(.none): continuation.resume(throwing: CancellationError())
                case .none: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<CurlWorker, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func release(_ worker: CurlWorker) {
        let waiter = state.withLock { state -> CheckedContinuation<CurlWorker, any Error>? in
            if state.waiters.isEmpty {
                state.idle.append(worker)
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: worker)
    }
}
