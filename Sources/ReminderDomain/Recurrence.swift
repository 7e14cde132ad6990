import Foundation

/// How a time-based reminder repeats.
public enum RecurrenceType: String, Codable, Sendable, CaseIterable {
    case once, daily, weekly, monthly
}

/// Calendar-true recurrence in the reminder's time zone: daily and weekly keep
/// the wall-clock time of the first occurrence across DST changes; monthly
/// keeps its day of the month, clamped to the length of shorter months.
public struct Recurrence: Sendable, Equatable {
    /// How it repeats.
    public var type: RecurrenceType
    /// The first occurrence (`scheduled_at`); every later one derives from it,
    /// so a clamped month does not shift the months after it.
    public var anchor: Date
    /// The clock it keeps.
    public var clock: WallClock

    /// Creates a recurrence.
    public init(type: RecurrenceType, anchor: Date, clock: WallClock) {
        self.type = type
        self.anchor = anchor
        self.clock = clock
    }

    /// The `n`-th occurrence (0 is the anchor itself); `nil` past the first for `once`.
    public func occurrence(_ n: Int) -> Date? {
        precondition(n >= 0)
        let start = clock.reading(at: anchor)
        switch type {
        case .once:
            return n == 0 ? anchor : nil
        case .daily:
            return n == 0 ? anchor : clock.date(of: clock.adding(days: n, to: start))
        case .weekly:
            return n == 0 ? anchor : clock.date(of: clock.adding(days: 7 * n, to: start))
        case .monthly:
            if n == 0 { return anchor }
            let monthIndex = start.year * 12 + (start.month - 1) + n
            let year = monthIndex / 12
            let month = monthIndex % 12 + 1
            var reading = start
            reading.year = year
            reading.month = month
            reading.day = min(start.day, WallClock.daysInMonth(year: year, month: month))
            return clock.date(of: reading)
        }
    }

    /// The first occurrence strictly after `date`, or `nil` when none is left.
    /// A reminder that was down for many periods fires once and then resumes
    /// its rhythm; it does not fire once per missed period.
    public func firstOccurrence(after date: Date) -> Date? {
        if anchor > date { return anchor }
        guard type != .once else { return nil }
        // Estimate how many periods have passed, then step to the exact one;
        // the estimate is off by at most one or two because of DST and the
        // uneven length of months.
        let elapsed = date.timeIntervalSince(anchor)
        let period: Double = switch type {
        case .daily: 86_400
        case .weekly: 604_800
        case .monthly: 2_629_746
        case .once: .infinity
        }
        var n = max(1, Int(elapsed / period) - 2)
        while let candidate = occurrence(n) {
            if candidate > date { return candidate }
            n += 1
        }
        return nil
    }
}
