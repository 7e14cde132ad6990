import Foundation

/// ISO 8601 timestamps in UTC with up to microsecond precision, the form both
/// the database and the messages use.
public enum Timestamp {
    /// Built once, for parsing.
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `2026-03-29T01:30:00.123456Z`. Plain integer arithmetic: a calendar
    /// and `String(format:)` per call were a measured hot spot of every message.
    public static func format(_ date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (seconds, micros) = floorDivision(totalMicros, 1_000_000)
        let time = UTCTime(secondsSince1970: seconds)
        var text = ""
        text.reserveCapacity(27)
        append(time.year, width: 4, to: &text)
        text += "-"
        append(time.month, width: 2, to: &text)
        text += "-"
        append(time.day, width: 2, to: &text)
        text += "T"
        appendClock(of: time, to: &text)
        text += "."
        append(micros, width: 6, to: &text)
        text += "Z"
        return text
    }

    /// The RFC 5322 form, in UTC: `Sun, 29 Nov 2026 11:49:17 +0000`.
    public static func rfc5322(_ date: Date) -> String {
        let (seconds, _) = floorDivision(Int64(date.timeIntervalSince1970.rounded(.down)), 1)
        let time = UTCTime(secondsSince1970: seconds)
        var text = weekdayNames[time.weekday] + ", "
        append(time.day, width: 2, to: &text)
        text += " " + monthNames[Int(time.month) - 1] + " "
        append(time.year, width: 4, to: &text)
        text += " "
        appendClock(of: time, to: &text)
        text += " +0000"
        return text
    }

    private static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A UTC calendar date and time of day from seconds since 1970.
    private struct UTCTime {
        var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
        /// 0 = Monday … 6 = Sunday.
        var weekday: Int

        init(secondsSince1970: Int64) {
            let (days, secondOfDay) = floorDivision(secondsSince1970, 86_400)
            hour = secondOfDay / 3600
            minute = secondOfDay % 3600 / 60
            second = secondOfDay % 60
            // 1970-01-01 was a Thursday.
            weekday = Int(floorDivision(days + 3, 7).1)
            // Days to a proleptic Gregorian date, counting in 400-year eras
            // that start on 1 March, so the leap day ends each year.
            let shifted = days + 719_468
            let (era, dayOfEra) = floorDivision(shifted, 146_097)
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthFromMarch = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
            month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }
    }

    /// Quotient and remainder rounding towards minus infinity (times before 1970 too).
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// `HH:MM:SS`.
    private static func appendClock(of time: UTCTime, to text: inout String) {
        append(time.hour, width: 2, to: &text)
        text += ":"
        append(time.minute, width: 2, to: &text)
        text += ":"
        append(time.second, width: 2, to: &text)
    }

    private static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`; a space may stand for `T`.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= chars.count else { return nil }
            var value = 0
            for c in chars[start..<start + length] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 19,
              let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
              let day = number(8, 2), chars[10] == 84 || chars[10] == 32 || chars[10] == 116,
              let hour = number(11, 2), chars[13] == 58, let minute = number(14, 2), chars[16] == 58,
              let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < chars.count {
            switch chars[index] {
            case 90, 122: index += 1
            case 43, 45:
                let sign = chars[index] == 45 ? -1 : 1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                var next = index + 3
                if next < chars.count, chars[next] == 58 { next += 1 }
                if let m = number(next, 2) { minutes = m; next += 2 }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
                index = next
            default: return nil
            }
        } else {
            return nil // a timestamp without a zone is ambiguous
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        guard let base = utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)) else {
            return nil
        }
        return Date(timeIntervalSince1970: base.timeIntervalSince1970 + fraction - Double(offsetSeconds))
    }
}
