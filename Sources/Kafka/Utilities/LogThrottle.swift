/// Lets one log line per topic through per interval: librdkafka repeats connection failures
/// many times a second while a broker is down, which would drown every other log line.
final class LogThrottle: Sendable {
    private struct Window {
        var opened: ContinuousClock.Instant
        var suppressed: Int
    }

    private let interval: Duration
    private let windows = LockedValue<[String: Window]>([:])

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether to log a line about `topic` now; if so, also how many were held back before it.
    func admit(_ topic: String) -> (admitted: Bool, suppressed: Int) {
        let now = ContinuousClock.now
        return windows.withLock { windows in
            if var window = windows[topic], now - window.opened < interval {
                window.suppressed += 1
                windows[topic] = window
                return (false, 0)
            }
            let suppressed = windows[topic]?.suppressed ?? 0
            windows[topic] = Window(opened: now, suppressed: 0)
            return (true, suppressed)
        }
    }
}
