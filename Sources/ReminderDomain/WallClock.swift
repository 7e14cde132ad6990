import Foundation
import Timestamps

/// Converts between instants and a time zone's wall-clock readings, with the
/// DST rules this system decided: a wall-clock time that does not exist (the
/// spring-forward gap) moves forward by the gap; one that exists twice (the
/// fall-back hour) means its first occurrence.
public struct WallClock: Sendable, Equatable {
    /// A wall-clock reading: a calendar date and a time of day.
    public typealias Reading = CivilDateTime

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
        let (year, month, day) = CivilCalendar.date(
            daysSince1970: CivilCalendar.daysSince1970(year: reading.year, month: reading.month, day: reading.day) + days
        )
        return Reading(year: year, month: month, day: day, hour: reading.hour, minute: reading.minute, second: reading.second)
    }

    /// The number of days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        CivilCalendar.daysInMonth(year: year, month: month)
    }

    /// Day of the week of a date, 1 = Monday … 7 = Sunday.
    public static func weekday(year: Int, month: Int, day: Int) -> Int {
        CivilCalendar.weekday(daysSince1970: CivilCalendar.daysSince1970(year: year, month: month, day: day))
    }

    private static func utcSeconds(of reading: Reading) -> Double {
        Double(CivilCalendar.daysSince1970(year: reading.year, month: reading.month, day: reading.day)) * 86_400
            + Double(reading.hour * 3600 + reading.minute * 60 + reading.second)
    }
}
