import Foundation

/// ISO 8601 timestamps in UTC with up to microsecond precision, the form both
/// the database and the messages use.
public enum Timestamp {
    /// Built once: making a calendar and looking up a zone per call was a
    /// measured hot spot of every message and API response.
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `2026-03-29T01:30:00.123456Z`.
    public static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((totalMicros / 1_000_000).rounded(.down))
        let micros = Int64(totalMicros) - seconds * 1_000_000
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
            parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!, micros
        )
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
