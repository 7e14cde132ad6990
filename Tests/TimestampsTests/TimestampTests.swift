import Foundation
import Timestamps
import TestRandom
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

@Suite("Timestamp round trips and the forms each reader accepts")
struct TimestampFormsTests {
    @Test("format then parse gives back the text, for random microsecond instants from year 1 to 20000")
    func textRoundTrip() {
        var random = SplitMix(seed: 5)
        var mismatches: [String] = []
        for index in 0..<50_000 {
            // Every tenth one far in the future; the rest in years 1 to 9999.
            let upper: Int64 = index % 10 == 0 ? 568_971_820_800 : 253_402_300_799
            let seconds = Int64.random(in: -62_135_596_800...upper, using: &random)
            let micros = Int64.random(in: 0..<1_000_000, using: &random)
            let text = Timestamp.format(Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000))
            guard let parsed = Timestamp.parse(text), Timestamp.format(parsed) == text else {
                mismatches.append(text)
                continue
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("leap days, the turn of 1970 and the last microsecond of 9999")
    func edges() {
        let cases: [(String, Double)] = [
            ("1970-01-01T00:00:00.000000Z", 0),
            ("1969-12-31T23:59:59.999999Z", -0.000_001),
            ("2000-02-29T12:00:00.000000Z", 951_825_600),
            ("2024-02-29T23:59:59.000000Z", 1_709_251_199),
            ("2100-03-01T00:00:00.000000Z", 4_107_542_400),
            ("0001-01-01T00:00:00.000000Z", -62_135_596_800),
            ("9999-12-31T23:59:59.000000Z", 253_402_300_799),
            ("10000-01-01T00:00:00.000000Z", 253_402_300_800),
        ]
        for (text, seconds) in cases {
            #expect(Timestamp.format(Date(timeIntervalSince1970: seconds)) == text)
            #expect(Timestamp.parse(text).map { abs($0.timeIntervalSince1970 - seconds) < 0.000_000_5 } == true, "\(text)")
        }
        #expect(Timestamp.parse("2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parse("2100-02-29T00:00:00Z") == nil)
    }

    @Test("fraction digits: rounding carries into the seconds; 0 writes no point; 3 is the log lines' form")
    func fractionDigits() {
        let date = Date(timeIntervalSince1970: 1_774_747_800.999_6)
        #expect(Timestamp.format(date, fractionDigits: 3) == "2026-03-29T01:30:01.000Z")
        #expect(Timestamp.format(date, fractionDigits: 0) == "2026-03-29T01:30:01Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0.5), fractionDigits: 9) == "1970-01-01T00:00:00.500000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1.25), fractionDigits: 2) == "1969-12-31T23:59:58.75Z")
    }

    @Test("PostgreSQL's timestamptz output: space, short and second-precise offsets, any number of fraction digits")
    func postgresForms() {
        let expected = Date(timeIntervalSince1970: 1_774_747_800.123456)
        for text in ["2026-03-29 01:30:00.123456+00", "2026-03-29 07:00:00.123456+05:30", "2026-03-28 22:30:00.123456-03",
                     "2026-03-29 01:30:00.1234564+00", "2026-03-29t01:30:00.123456z", "2026-03-29T03:30:00.123456+0200"] {
            #expect(Timestamp.parse(text).map { abs($0.timeIntervalSince(expected)) < 0.000_001 } == true, "\(text)")
        }
        #expect(Timestamp.parse("1901-01-01 00:50:20+00:50:20") == Date(timeIntervalSince1970: -2_177_452_800))
        #expect(Timestamp.parse("2026-03-29 01:30:00.5+00") == Date(timeIntervalSince1970: 1_774_747_800.5))
        // A leap second reads as the next minute's first.
        #expect(Timestamp.parse("2016-12-31T23:59:60Z") == Date(timeIntervalSince1970: 1_483_228_800))
        for bad in ["infinity", "2026-03-29 01:30:00.+00", "2026-03-29 01:30:00+24", "2026-03-29 01:30:00+05:", "2026-03-29 01:30:00+05:60",
                    "2026-03-29 01:30+00", "2026-3-29 01:30:00+00", "2026-03-29 01:30:00 BC", "2026-03-29 01:30:00+00 "] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("RFC 3339 fields as the API reads them: optional seconds and offset, one to nine fraction digits")
    func fields() throws {
        let plain = try #require(DateTimeFields(rfc3339: "2026-02-10T14:30"))
        #expect(plain == DateTimeFields(year: 2026, month: 2, day: 10, hour: 14, minute: 30))
        #expect(plain.date == nil)
        #expect(DateTimeFields(rfc3339: "2026-02-10t14:30:05.000000001-01:30")
            == DateTimeFields(year: 2026, month: 2, day: 10, hour: 14, minute: 30, second: 5, nanosecond: 1, utcOffset: -5400))
        #expect(DateTimeFields(rfc3339: "2026-02-10T14:30:00.25z")?.date == Date(timeIntervalSince1970: 1_770_733_800.25))
        #expect(DateTimeFields(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(DateTimeFields(rfc3339: "1999-12-31T23:00:00Z") != nil, "the year range is the caller's rule")
        for bad in ["tomorrow", "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-02-10 14:30:00Z", "2026-02-10T24:00:00Z",
                    "2026-02-10T14:30:00+1", "2026-02-10", "2026-02-10T14:30:00Zjunk", "2026-02-10T14:30:60Z",
                    "2026-02-10T14:30:00.Z", "2026-02-10T14:30:00.1234567890Z", "2026-02-10T14:30:00+0100", "2026-02-10T14:30:00+01",
                    "2026-02-10T14:30:00+24:00", "2026-02-10T14:30:00+01:60", "2026-02-10T14:30.5Z", "2026-02-10T14Z", "2026-02-10T14:30:0Z",
                    "2025-02-29T10:00:00Z", "2026-02-10T14:30:00+01:00:00"] {
            #expect(DateTimeFields(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test("HTTP dates: IMF-fixdate, RFC 850 with its century rule, asctime; anything else refused")
    func httpDates() {
        let expected = Date(timeIntervalSince1970: 784_111_777) // 1994-11-06 08:49:37 UTC
        let now = Date(timeIntervalSince1970: 1_774_747_800) // 2026
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun Nov 6 08:49:37 1994",
                     "sun, 06 nov 1994 08:49:37 gmt", "Sun, 06 Nov 1994 08:49:37 UTC"] {
            #expect(Timestamp.parseHTTPDate(text, now: now) == expected, "\(text)")
        }
        // Two-digit years: at most 50 years ahead of now, otherwise the century before.
        #expect(Timestamp.parseHTTPDate("Saturday, 01-Jan-77 00:00:00 GMT", now: now) == Date(timeIntervalSince1970: 220_924_800))
        #expect(Timestamp.parseHTTPDate("Wednesday, 01-Jan-70 00:00:00 GMT", now: now) == Date(timeIntervalSince1970: 3_155_760_000))
        for bad in ["", "120", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Nov 1994 08:49:37 GMT",
                    "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT junk", "Sunday, 06-Nov-1994 08:49:37 GMT"] {
            #expect(Timestamp.parseHTTPDate(bad, now: now) == nil, "\(bad)")
        }
    }
}
