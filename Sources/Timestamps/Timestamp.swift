import Foundation

/// The system's one timestamp text: RFC 3339 (ISO 8601) in UTC, `2026-03-29T01:30:00.123456Z`,
/// written and read with integer arithmetic and no formatter objects. The same text is used
/// in messages, logs and PostgreSQL's `timestamptz` parameters, and the parser reads what
/// PostgreSQL returns. E-mail dates and HTTP dates are in `Timestamp+Mail` and `Timestamp+HTTP`.
public enum Timestamp {
    /// `2026-03-29T01:30:00.123456Z`: UTC with microseconds, rounded to the nearest (the
    /// precision of PostgreSQL's `timestamptz`).
    public static func format(_ date: Date) -> String {
        format(date, fractionDigits: 6)
    }

    /// `2026-03-29T01:30:00.123Z` for 3: UTC with `fractionDigits` (0…9) fractional digits,
    /// rounded to the nearest; no fraction and no point for 0. Years before 1 or after 9999
    /// get a sign or more digits.
    public static func format(_ date: Date, fractionDigits: Int) -> String {
        let digits = min(max(fractionDigits, 0), 9)
        let (seconds, fraction) = split(date, fractionDigits: digits)
        return String(unsafeUninitializedCapacity: 40) { buffer in
            var writer = DigitWriter(buffer)
            let (days, secondOfDay) = CivilCalendar.floorDivision(seconds, 86_400)
            writer.writeDate(CivilCalendar.date(daysSince1970: days))
            writer.write("T")
            writer.writeClock(secondOfDay)
            if digits > 0 {
                writer.write(".")
                writer.write(fraction, width: digits)
            }
            writer.write("Z")
            return writer.count
        }
    }

    /// Reads an RFC 3339 timestamp with its zone, and PostgreSQL's `timestamptz` output:
    /// `YYYY-MM-DD(T| )HH:MM:SS[.fraction](Z|±HH[[:]MM[[:]SS]])`. `T` and `Z` may be lower
    /// case; the fraction may have any number of digits (nanoseconds are kept); the year
    /// may have more than four digits. Text without a zone is refused: it names no instant.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = TextScanner(bytes)
            guard let year = scanner.number(digits: 4, upTo: 6), scanner.take("-"),
                  let month = scanner.number(digits: 2), scanner.take("-"),
                  let day = scanner.number(digits: 2),
                  scanner.take("T") || scanner.take("t") || scanner.take(" "),
                  let hour = scanner.number(digits: 2), scanner.take(":"),
                  let minute = scanner.number(digits: 2), scanner.take(":"),
                  let second = scanner.number(digits: 2)
            else { return nil }
            var nanosecond = 0
            if scanner.take(".") {
                guard let nanos = scanner.nanoseconds(maximumDigits: nil) else { return nil }
                nanosecond = nanos
            }
            let offset: Int
            if scanner.take("Z") || scanner.take("z") {
                offset = 0
            } else {
                let sign: Int
                if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { return nil }
                guard let hours = scanner.number(digits: 2), hours < 24 else { return nil }
                var seconds = hours * 3600
                let colon = scanner.take(":")
                if let minutes = scanner.number(digits: 2) {
                    guard minutes < 60 else { return nil }
                    seconds += minutes * 60
                    if scanner.take(":") == colon, let extra = scanner.number(digits: 2) {
                        guard extra < 60 else { return nil }
                        seconds += extra
                    }
                } else if colon {
                    return nil
                }
                offset = sign * seconds
            }
            // A leap second (:60) reads as the first second of the next minute.
            guard scanner.isAtEnd, (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day),
                  hour < 24, minute < 60, second <= 60
            else { return nil }
            return instant(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                           nanosecond: nanosecond, utcOffset: offset)
        }
    }

    /// The instant of a UTC-offset wall-clock reading.
    static func instant(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int, utcOffset: Int) -> Date {
        let days = CivilCalendar.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - utcOffset
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanosecond) / 1_000_000_000)
    }

    /// Whole seconds since 1970 (rounded towards minus infinity) and the fraction in units of
    /// 10^-`fractionDigits` s, rounded to the nearest unit (which can carry into the seconds).
    static func split(_ date: Date, fractionDigits: Int) -> (seconds: Int, fraction: Int) {
        let interval = secondsSince1970(date)
        var whole = interval.rounded(.down)
        let scale = powersOfTen[fractionDigits]
        var fraction = Int(((interval - whole) * Double(scale)).rounded())
        if fraction >= scale {
            fraction -= scale
            whole += 1
        }
        return (Int(whole), fraction)
    }

    /// Whole seconds since 1970, rounded towards minus infinity.
    static func wholeSeconds(_ date: Date) -> Int {
        Int(secondsSince1970(date).rounded(.down))
    }

    /// Seconds since 1970, held within ±10^13 s (about ±317,000 years: beyond any calendar this
    /// system reads, and within the integers the formatters convert to).
    private static func secondsSince1970(_ date: Date) -> Double {
        let interval = date.timeIntervalSince1970
        return interval.isFinite ? min(max(interval, -1e13), 1e13) : 0
    }

    static let powersOfTen = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}
