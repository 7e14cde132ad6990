import Foundation

/// An RFC 3339 date-time as written, before a zone is applied: what a person typed for a
/// scheduled time, which names its offset or leaves the wall-clock time to a time zone.
public struct DateTimeFields: Sendable, Equatable {
    /// The date and the time of day as written, to the whole second.
    public var civil: CivilDateTime
    /// The fraction of the second, 0…999,999,999.
    public var nanosecond: Int
    /// Seconds east of UTC the text names (`Z` is 0), or `nil` when it names none.
    public var utcOffset: Int?

    /// Reads `YYYY-MM-DD(T|t)HH:MM[:SS[.fraction]][Z|z|±HH:MM]`: RFC 3339's date-time with the
    /// seconds and the offset optional and a fraction of one to nine digits. The date must
    /// exist; a leap second (:60) and offsets of 24 hours or more are refused.
    public init?(rfc3339 text: String) {
        var text = text
        guard let fields = text.withUTF8({ Self.scan($0) }) else { return nil }
        self = fields
    }

    /// Creates fields from their values.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0, nanosecond: Int = 0, utcOffset: Int? = nil) {
        self.civil = CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        self.nanosecond = nanosecond
        self.utcOffset = utcOffset
    }

    /// The instant these fields name with `utcOffset` seconds east of UTC (the fields' own
    /// offset is ignored).
    public func date(utcOffset: Int) -> Date {
        Timestamp.instant(year: civil.year, month: civil.month, day: civil.day, hour: civil.hour, minute: civil.minute,
                          second: civil.second, nanosecond: nanosecond, utcOffset: utcOffset)
    }

    /// The instant, when the text named its offset.
    public var date: Date? {
        utcOffset.map { date(utcOffset: $0) }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> DateTimeFields? {
        var scanner = TextScanner(bytes)
        guard let year = scanner.number(digits: 4), scanner.take("-"), let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2), scanner.take("T") || scanner.take("t"),
              let hour = scanner.number(digits: 2), scanner.take(":"), let minute = scanner.number(digits: 2)
        else { return nil }
        var fields = DateTimeFields(year: year, month: month, day: day, hour: hour, minute: minute)
        if scanner.take(":") {
            guard let second = scanner.number(digits: 2) else { return nil }
            fields.civil.second = second
            if scanner.take(".") {
                guard let nanos = scanner.nanoseconds(maximumDigits: 9) else { return nil }
                fields.nanosecond = nanos
            }
        }
        if scanner.take("Z") || scanner.take("z") {
            fields.utcOffset = 0
        } else if scanner.next == UInt8(ascii: "+") || scanner.next == UInt8(ascii: "-") {
            let sign = scanner.take("-") ? -1 : 1
            _ = scanner.take("+")
            guard let hours = scanner.number(digits: 2), scanner.take(":"), let minutes = scanner.number(digits: 2),
                  hours < 24, minutes < 60
            else { return nil }
            fields.utcOffset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd, (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day),
              hour < 24, minute < 60, fields.civil.second < 60
        else { return nil }
        return fields
    }
}
