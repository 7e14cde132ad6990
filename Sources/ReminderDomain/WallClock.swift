import Foundation

/// Converts between instants and a time zone's wall-clock readings, with the
/// DST rules this system decided: a wall-clock time that does not exist (the
/// spring-forward gap) moves forward by the gap; one that exists twice (the
/// fall-back hour) means its first occurrence.
public struct WallClock: Sendable, Equatable {
    /// A wall-clock reading: a calendar date and a time of day.
    public struct Reading: Sendable, Equatable, CustomStringConvertible {
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        public var second: Int

        /// Creates a reading.
        public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
        }

        /// `2026-03-29 02:30:00`.
        public var description: String {
            String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second)
        }
    }

    /// The zone whose clock this reads.
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// A clock for `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// A clock for the IANA zone `identifier`, or `nil` if there is no such zone.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(timeZone: zone)
    }

    /// What this clock reads at `date`.
    public func reading(at date: Date) -> Reading {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return Reading(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!)
    }

    /// The instant at which this clock shows `reading` (see the type's DST rules).
    public func date(of reading: Reading) -> Date {
        let naive = Self.utcSeconds(of: reading)
        // The zone's offset can only be one of those in force a day either
        // side; try each and keep those that really show `reading`.
        let offsets = Set([-86_400, 0, 86_400].map { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive + Double($0))) })
        let matching = offsets
            .map { Date(timeIntervalSince1970: naive - Double($0)) }
            .filter { self.reading(at: $0) == reading }
        if let first = matching.min() { return first }
        // In the gap: read it with the offset from before the change, which
        // lands the same distance past the gap's end.
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - 86_400))
        return Date(timeIntervalSince1970: naive - Double(before))
    }

    /// The reading `days` calendar days after `reading`, at the same time of day.
    public func adding(days: Int, to reading: Reading) -> Reading {
        let (year, month, day) = Self.civil(fromDays: Self.days(fromCivil: reading.year, reading.month, reading.day) + days)
        return Reading(year: year, month: month, day: day, hour: reading.hour, minute: reading.minute, second: reading.second)
    }

    /// The number of days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day of the week of a date, 1 = Monday … 7 = Sunday.
    public static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        let days = Self.days(fromCivil: year, month, day)
        return ((days % 7 + 7) % 7 + 3) % 7 + 1
    }

    private static func utcSeconds(of reading: Reading) -> Double {
        Double(days(fromCivil: reading.year, reading.month, reading.day)) * 86_400
            + Double(reading.hour * 3600 + reading.minute * 60 + reading.second)
    }

    // Days since 1970-01-01 of a proleptic Gregorian date, and back
    // (Howard Hinnant's civil-date algorithms).
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
