import Foundation

/// At most `limit` notifications per recipient in any rolling `window`: a
/// notification sent exactly `window` ago no longer counts.
public struct RateLimitWindow: Sendable, Equatable {
    /// Notifications allowed per window.
    public var limit: Int
    /// The rolling window's length.
    public var window: TimeInterval

    /// Creates a limit; the seed's is 5 per hour.
    public init(limit: Int, window: TimeInterval = 3600) {
        precondition(limit > 0 && window > 0)
        self.limit = limit
        self.window = window
    }

    /// The start of the window that ends at `date` (exclusive bound).
    public func windowStart(endingAt date: Date) -> Date {
        date.addingTimeInterval(-window)
    }

    /// How many of `previous` fall in the window ending at `date`.
    public func count(of previous: [Date], at date: Date) -> Int {
        let start = windowStart(endingAt: date)
        return previous.filter { $0 > start && $0 <= date }.count
    }

    /// Whether one more notification may go at `date`.
    public func admits(previous: [Date], at date: Date) -> Bool {
        count(of: previous, at: date) < limit
    }
}
