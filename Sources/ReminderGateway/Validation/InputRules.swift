import Foundation
import ReminderDomain

/// The limits and formats the gateway enforces, in one place (the OpenAPI document repeats them).
enum InputRules {
    static let titleMaxLength = 200
    static let messageMaxLength = 5000
    static let maxRecipients = 100
    static let targetStatusMaxLength = 100
    static let snoozeMinutes = 1...43_200
    static let maxHoursBefore = 8760.0
    static let triggerConfigMaxBytes = 4096
    static let usernameMaxLength = 100
    static let userIDs = 1...Int(Int32.max)

    /// Whether `address` is a plausible e-mail address: `local@domain.tld` with the dot-atom
    /// characters of RFC 5322 (no quoted local parts, no IP literals), at most 254 characters.
    static func isEmailAddress(_ address: String) -> Bool {
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        let localCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.")
        guard (1...64).contains(local.count), local.allSatisfy(localCharacters.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        let labelCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.allSatisfy(labelCharacters.contains) && !label.hasPrefix("-") && !label.hasSuffix("-")
        } && labels.last!.allSatisfy(\.isLetter)
    }

    /// IANA zone names this system's clocks can read.
    static let timeZoneIdentifiers: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])

    static func isTimeZone(_ identifier: String) -> Bool {
        timeZoneIdentifiers.contains(identifier) && WallClock(identifier: identifier) != nil
    }

    /// `HH:MM` (24-hour, two digits each); returns the text normalised.
    static func clockTime(_ text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              QuietHours.minutes(from: text) != nil
        else { return nil }
        return text
    }

    /// ISO 8601 `scheduled_at`: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`;
    /// without an offset the wall-clock time is read in `timeZone` (the reminder's zone, with
    /// the DST rules of ``WallClock``). Years 2000–9999.
    static func scheduledTime(_ text: String, timeZone: String) -> Date? {
        let c = Array(text.utf8)
        guard c.count >= 16, c.count <= 40 else { return nil }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= c.count else { return nil }
            var value = 0
            for k in i..<i + n {
                guard c[k] >= 48, c[k] <= 57 else { return nil }
                value = value * 10 + Int(c[k] - 48)
            }
            i += n
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard i < c.count, c[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), take(45), let month = digits(2), take(45), let day = digits(2),
              take(84) || take(116), let hour = digits(2), take(58), let minute = digits(2)
        else { return nil }
        var second = 0
        var fraction = 0.0
        if take(58) {
            guard let s = digits(2) else { return nil }
            second = s
            if take(46) {
                var scale = 0.1
                let start = i
                while i < c.count, c[i] >= 48, c[i] <= 57, i - start < 9 {
                    fraction += Double(c[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        var offset: Int?
        if take(90) || take(122) {
            offset = 0
        } else if i < c.count, c[i] == 43 || c[i] == 45 {
            let sign = c[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2), take(58), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == c.count, (2000...9999).contains(year), (1...12).contains(month),
              (1...WallClock.daysInMonth(year: year, month: month)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let reading = WallClock.Reading(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        if let offset {
            guard let utc = WallClock(identifier: "UTC") else { return nil }
            return utc.date(of: reading).addingTimeInterval(fraction - Double(offset))
        }
        guard let zone = WallClock(identifier: timeZone) else { return nil }
        return zone.date(of: reading).addingTimeInterval(fraction)
    }
}
