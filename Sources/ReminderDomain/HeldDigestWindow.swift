import Foundation

/// When the e-mails the rate limit held back from a user may go out as one
/// digest (`REMINDERS_HELD_DIGEST`): the digest is one notification, so it
/// waits until the user's rolling window admits one more, and as an e-mail it
/// waits out the user's quiet hours.
public struct HeldDigestWindow: Sendable, Equatable {
    /// The per-recipient limit the digest counts against.
    public var rateLimit: RateLimitWindow
    /// The user's quiet hours, if any.
    public var quietHours: QuietHours?

    /// Creates the rule for one user.
    public init(rateLimit: RateLimitWindow, quietHours: QuietHours?) {
        self.rateLimit = rateLimit
        self.quietHours = quietHours
    }

    /// The earliest moment at or after `now` when the window admits one more
    /// notification, given the user's `previous` notifications.
    public func admissionTime(previous: [Date], now: Date) -> Date {
        let start = rateLimit.windowStart(endingAt: now)
        let inWindow = previous.filter { $0 > start && $0 <= now }.sorted()
        guard inWindow.count >= rateLimit.limit else { return now }
        // One more fits once enough of them have left the window: the
        // (count - limit + 1)-th oldest leaves exactly `window` after it was sent.
        return inWindow[inWindow.count - rateLimit.limit].addingTimeInterval(rateLimit.window)
    }

    /// When the digest may go: once the window admits it and outside quiet
    /// hours. Moving later only lets more notifications leave the window, so
    /// the window still admits it at the end of the quiet hours.
    public func releaseTime(previous: [Date], now: Date) -> Date {
        let admitted = admissionTime(previous: previous, now: now)
        return quietHours?.releaseTime(for: admitted) ?? admitted
    }

    /// Whether the digest may go at `now`.
    public func isOpen(previous: [Date], now: Date) -> Bool {
        releaseTime(previous: previous, now: now) <= now
    }
}
