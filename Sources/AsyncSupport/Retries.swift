/// One failed attempt of ``withRetries(_:wait:isRetriable:onRetry:_:)`` that
/// is about to be retried.
public struct RetryAttempt: Sendable {
    /// Why the attempt failed.
    public var error: any Error
    /// Consecutive failures so far (1 after the first).
    public var failures: Int
    /// How long the loop waits before the next attempt.
    public var delay: Duration
}

/// Runs `operation` until it succeeds, waiting between attempts as `backoff`
/// says for as long as `isRetriable` accepts the error.
///
/// A failure `isRetriable` refuses is rethrown at once. Before each wait
/// `onRetry` is told the failure and the delay (to log it). When `wait` says
/// to stop (by default: at graceful shutdown or when the task is cancelled),
/// the loop stops waiting at once and throws `CancellationError`, so the caller
/// can end its work; the operation is not tried again.
public func withRetries<Result>(
    _ backoff: RetryBackoff = RetryBackoff(),
    wait: RetryWait = .untilShutdown,
    isRetriable: (any Error) -> Bool = { _ in true },
    onRetry: (RetryAttempt) -> Void = { _ in },
    _ operation: () async throws -> Result
) async throws -> Result {
    var failures = 0
    while true {
        do {
            return try await operation()
        } catch {
            guard isRetriable(error) else { throw error }
            failures += 1
            let delay = backoff.jitteredDelay(afterFailures: failures)
            onRetry(RetryAttempt(error: error, failures: failures, delay: delay))
            guard await wait.body(delay) else { throw CancellationError() }
        }
    }
}
