import Foundation
import ReminderDomain
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("formats UTC with microseconds")
    func format() {
        let date = Date(timeIntervalSince1970: 1_774_747_800.123456)
        #expect(Timestamp.format(date) == "2026-03-29T01:30:00.123456Z")
    }

    @Test("parses what it formats", arguments: [0.0, 1_774_747_800.5, 1_792_890_000.000001, 951_782_400])
    func roundTrip(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let parsed = try #require(Timestamp.parse(Timestamp.format(date)))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("reads offsets, PostgreSQL's space form and no fraction")
    func offsets() {
        let expected = Date(timeIntervalSince1970: 1_774_747_800)
        #expect(Timestamp.parse("2026-03-29T03:30:00+02:00") == expected)
        #expect(Timestamp.parse("2026-03-29 01:30:00+00") == expected)
        #expect(Timestamp.parse("2026-03-28T20:30:00-0500") == expected)
        #expect(Timestamp.parse("2026-03-29T01:30:00Z") == expected)
    }

    @Test("refuses malformed and zone-less text", arguments: [
        "", "2026-03-29", "2026-03-29T01:30:00", "2026-13-01T00:00:00Z", "2026-03-29T25:00:00Z",
        "2026-03-29T01:30:00+2", "yesterday", "2026-03-29T01:30:00Zjunk",
    ])
    func malformed(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite("Timestamp formats against Foundation's calendar")
struct TimestampFormatReferenceTests {
    /// What Foundation's calendar and formatter say, the slow way.
    private static func reference(_ date: Date) -> (iso: String, rfc: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (totalMicros / 1_000_000).rounded(.down)
        let micros = Int64(totalMicros - seconds * 1_000_000)
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        let iso = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!, micros)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return (iso, formatter.string(from: Date(timeIntervalSince1970: seconds)))
    }

    @Test("every day from 1900 to 2100 at a varying time of day, and the edges of leap years and centuries")
    func matchesCalendar() {
        var dates: [Date] = []
        // 1900-01-01 to 2100-12-31, one date a day, the time of day walking through the day.
        let start = -2_208_988_800.0
        for day in 0..<73_414 {
            dates.append(Date(timeIntervalSince1970: start + Double(day) * 86_400 + Double(day * 7_919 % 86_400) + 0.25))
        }
        for text in ["2000-02-29T23:59:59Z", "2100-03-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-03-29T01:30:00Z"] {
            dates.append(ISO8601DateFormatter().date(from: text)!)
        }
        var mismatches: [String] = []
        for date in dates {
            let expected = Self.reference(date)
            let iso = Timestamp.format(date)
            let rfc = Timestamp.rfc5322(date)
            if iso != expected.iso || rfc != expected.rfc { mismatches.append("\(date.timeIntervalSince1970): \(iso) / \(rfc) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("microseconds round, and a time before 1970 keeps a positive fraction")
    func fractions() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0.000_000_4)) == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1.999_999_6)) == "1970-01-01T00:00:02.000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(Timestamp.rfc5322(Date(timeIntervalSince1970: 1_795_952_957)) == "Sun, 29 Nov 2026 11:49:17 +0000")
    }
}
