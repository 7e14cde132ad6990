import ServiceLifecycle

/// How ``withRetries(_:wait:isRetriable:onRetry:_:)`` waits between attempts:
/// a function given the delay that returns whether to go on (`true`) or stop
/// because the caller is shutting down (`false`). It may return early, e.g.
/// when something worth retrying at once happened.
public struct RetryWait: Sendable {
    let body: @Sendable (Duration) async -> Bool

    /// A wait made by `body`.
    public init(_ body: @escaping @Sendable (Duration) async -> Bool) {
        self.body = body
    }

    /// Sleeps for the delay; graceful shutdown or cancellation of the task
    /// ends the sleep at once and stops the retries.
    public static let untilShutdown = RetryWait { delay in
        if isStopping { return false }
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: delay)
        }
        return !isStopping
    }

    /// Whether the current task is cancelled or its service group shuts down.
    static var isStopping: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully
    }
}
