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
