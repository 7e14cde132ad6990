import Foundation

/// A daily window, in the user's time zone, in which e-mail and Mattermost
/// wait. The window may wrap midnight (18:00–08:00). Start equal to end is an
/// empty window.
public struct QuietHours: Sendable, Equatable {
    /// Minutes after local midnight the window opens.
    public var startMinute: Int
    /// Minutes after local midnight the window closes.
    public var endMinute: Int
    /// The user's clock.
    public var clock: WallClock

    /// Creates a window from `HH:MM`-style minutes.
    public init(startMinute: Int, endMinute: Int, clock: WallClock) {
        precondition((0..<1440).contains(startMinute) && (0..<1440).contains(endMinute))
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.clock = clock
    }

    /// Whether the window holds `date`: start inclusive, end exclusive.
    public func contains(_ date: Date) -> Bool {
        let reading = clock.reading(at: date)
        let minute = reading.hour * 60 + reading.minute
        if startMinute == endMinute { return false }
        if startMinute < endMinute { return minute >= startMinute && minute < endMinute }
        return minute >= startMinute || minute < endMinute
    }

    /// When a message held at `date` may go: `date` itself outside the window,
    /// otherwise the window's end.
    public func releaseTime(for date: Date) -> Date {
        guard contains(date) else { return date }
        let reading = clock.reading(at: date)
        var end = WallClock.Reading(
            year: reading.year, month: reading.month, day: reading.day,
            hour: endMinute / 60, minute: endMinute % 60
        )
        let minute = reading.hour * 60 + reading.minute
        // Inside a wrapping window before midnight, the end is tomorrow.
        if startMinute > endMinute, minute >= startMinute {
            end = clock.adding(days: 1, to: end)
        }
        return clock.date(of: end)
    }

    /// Parses `HH:MM` or `HH:MM:SS` (PostgreSQL's `time` output) into minutes.
    public static func minutes(from text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        if parts.count == 3 {
            guard let second = Int(parts[2]), (0..<60).contains(second) else { return nil }
        }
        return hour * 60 + minute
    }
}
