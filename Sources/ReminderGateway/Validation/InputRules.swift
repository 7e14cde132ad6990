import Foundation
import ReminderDomain
import Timestamps

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
        guard let fields = DateTimeFields(rfc3339: text), (2000...9999).contains(fields.civil.year) else { return nil }
        if let instant = fields.date { return instant }
        guard let zone = WallClock(identifier: timeZone) else { return nil }
        return zone.date(of: fields.civil).addingTimeInterval(Double(fields.nanosecond) / 1_000_000_000)
    }
}
