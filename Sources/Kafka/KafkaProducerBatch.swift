import Synchronization

/// Collects the outcomes of a batch of records, filled from the producer's event thread, and
/// wakes the sender once every record has one.
final class KafkaProducerBatch: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var waiter: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count, waiter: nil))
    }

    /// Records the outcome of record `index`.
    func complete(_ index: Int, with result: Result<RDKafkaProduceAttempt, any Error>) {
        let outcome: Result<KafkaDeliveryReport, KafkaError>
        switch result {
        case .success(.delivered(let report)):
            outcome = .success(report)
        case .success(.queueFull):
            outcome = .failure(KafkaError(code: .produce, message: "the local queue was full", isRetriable: true))
        case .failure(let error as KafkaError):
            outcome = .failure(error)
        case .failure(let error):
            outcome = .failure(KafkaError(code: .produce, message: "\(error)"))
        }
        let finished = state.withLock { state -> (CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>, [Result<KafkaDeliveryReport, KafkaError>])? in
            guard state.results[index] == nil else { return nil }
            state.results[index] = outcome
            state.remaining -= 1
            guard state.remaining == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.results.map { $0! })
        }
        if let (waiter, results) = finished { waiter.resume(returning: results) }
    }

    /// Fails every record from `index` on that was never enqueued.
    func failRemaining(from index: Int, with error: KafkaError) {
        let count = state.withLock { $0.results.count }
        for slot in index..<count { complete(slot, with: .failure(error)) }
    }

    /// Waits until every record has an outcome.
    func results() async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> [Result<KafkaDeliveryReport, KafkaError>]? in
                if state.remaining == 0 { return state.results.map { $0! } }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
