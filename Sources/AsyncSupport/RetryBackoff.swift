/// How long to wait before each retry: ``initial`` before the first, doubled
/// after every further failure up to ``maximum``, and optionally shortened at
/// random by up to ``jitter`` of itself so that many clients failing together
/// do not retry together.
public struct RetryBackoff: Sendable, Hashable {
    /// The wait before the first retry. Default: 100 ms.
    public var initial: Duration
    /// The longest wait. Default: 5 s.
    public var maximum: Duration
    /// The fraction (0...1) of each wait that may be taken off at random.
    /// Default: 0 (no jitter).
    public var jitter: Double

    /// A schedule; the defaults are those of every retry loop in the package.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Double = 0) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait after `failures` consecutive failures (1 for the first),
    /// before jitter: `initial × 2^(failures − 1)`, at most `maximum`.
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        var doublings = max(0, failures - 1)
        while doublings > 0, delay < maximum {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maximum)
    }

    /// ``delay(afterFailures:)`` with the jitter applied; `random` gives a
    /// value in 0..<1.
    public func jitteredDelay(afterFailures failures: Int, random: () -> Double = { Double.random(in: 0..<1) }) -> Duration {
        let delay = delay(afterFailures: failures)
        guard jitter > 0 else { return delay }
        return delay * (1 - jitter * min(1, max(0, random())))
    }
}
