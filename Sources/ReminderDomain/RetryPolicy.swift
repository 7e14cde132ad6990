import Foundation

/// When a failed delivery is tried again: exponential backoff with jitter,
/// capped, for at most `maxAttempts` attempts in all.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (`DELIVERY_MAX_ATTEMPTS`). Default 8.
    public var maxAttempts: Int
    /// The nominal pause after the first failed attempt; it doubles with each
    /// further attempt. Default 5 s.
    public var baseDelay: TimeInterval
    /// The longest nominal pause. Default 15 minutes.
    public var maxDelay: TimeInterval
    /// The longest pause a server's `Retry-After` may ask for; longer requests
    /// are cut to this so one reply cannot park a delivery for days. Default 1 hour.
    public var maxRetryAfter: TimeInterval

    /// Creates a policy.
    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 5, maxDelay: TimeInterval = 900, maxRetryAfter: TimeInterval = 3600) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether attempt number `attempt` (0 for the first) may be followed by another.
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt + 1 < maxAttempts
    }

    /// The pause before the next attempt, without jitter: `baseDelay · 2^attempt`, capped.
    public func nominalDelay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(min(max(attempt, 0), 62))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// The pause before the next attempt. A server's `Retry-After` wins (capped
    /// at `maxRetryAfter`); otherwise "equal jitter": half the nominal delay
    /// plus a random share of the other half, so retries of many deliveries
    /// that failed together spread out instead of hitting the server at once.
    /// - Parameter random: a number in `0..<1` (injected so tests can pin it).
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval? = nil, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        if let retryAfter {
            return min(max(retryAfter, 0), maxRetryAfter)
        }
        let nominal = nominalDelay(afterAttempt: attempt)
        let share = min(max(random, 0), 1)
        return nominal / 2 + nominal / 2 * share
    }
}
