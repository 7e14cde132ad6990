import Foundation
import ReminderDomain
import Testing

@Suite("iCalendar text: escaping and folding")
struct ICalendarTextTests {
    @Test("TEXT escaping: backslash, semicolon, comma and every kind of line break")
    func escaping() {
        #expect(ICalendarText.escape("a\\b;c,d") == "a\\\\b\\;c\\,d")
        #expect(ICalendarText.escape("one\ntwo\r\nthree\rfour") == "one\\ntwo\\nthree\\nfour")
        #expect(ICalendarText.escape("colon: stays") == "colon: stays")
        #expect(ICalendarText.escape("") == "")
    }

    @Test("user text cannot start a property or component of its own")
    func injection() {
        let hostile = "Meeting\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\u{0}\u{7}\u{1B}"
        let escaped = ICalendarText.escape(hostile)
        #expect(!escaped.contains("\r") && !escaped.contains("\n"))
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(escaped == "Meeting\\nEND:VEVENT\\nBEGIN:VEVENT\\nUID:evil")
    }

    @Test("tabs stay; other control characters go")
    func controls() {
        #expect(ICalendarText.escape("a\tb\u{8}c\u{7F}d") == "a\tbcd")
    }

    @Test("parameter values: quoted when they hold : ; or , and never carry a double quote")
    func parameters() {
        #expect(ICalendarText.parameterValue("Europe/Copenhagen") == "Europe/Copenhagen")
        #expect(ICalendarText.parameterValue("a:b") == "\"a:b\"")
        #expect(ICalendarText.parameterValue("a\"b;c") == "\"ab;c\"")
    }

    @Test("a short line is one physical line ending in CRLF")
    func shortLine() {
        #expect(ICalendarText.fold("SUMMARY:Hi") == "SUMMARY:Hi\r\n")
        let exact = "X:" + String(repeating: "a", count: 73)
        #expect(ICalendarText.fold(exact) == exact + "\r\n")
    }

    @Test("long lines fold at 75 octets and unfold to the original, for ASCII and multi-byte text", arguments: [
        String(repeating: "a", count: 500),
        String(repeating: "æøå", count: 120),
        String(repeating: "🙂x", count: 90),
        "DESCRIPTION:" + String(repeating: "Påmindelse om sagen — ", count: 20),
    ])
    func folding(_ line: String) {
        let folded = ICalendarText.fold(line)
        #expect(folded.hasSuffix("\r\n"))
        // "\r\n" is one Character: drop the final line break by its bytes.
        let body = String(decoding: folded.utf8.dropLast(2), as: UTF8.self)
        let physical = body.components(separatedBy: "\r\n")
        #expect(physical.count > 1)
        for (index, part) in physical.enumerated() {
            #expect(part.utf8.count <= 75, "line \(index) has \(part.utf8.count) octets")
            if index > 0 { #expect(part.hasPrefix(" ")) }
            // Every physical line is valid UTF-8 on its own: no sequence was split.
            #expect(String(validating: Array(part.utf8), as: UTF8.self) != nil)
        }
        // Unfolding (RFC 5545 §3.1: remove CRLF followed by one space) gives the line back.
        #expect(body.replacingOccurrences(of: "\r\n ", with: "") == line)
    }

    @Test("values: UTC and local date-times, offsets, durations")
    func values() {
        #expect(ICalendarValue.utc(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(ICalendarValue.utc(Date(timeIntervalSince1970: 1_774_747_800.9)) == "20260329T013000Z")
        #expect(ICalendarValue.utc(Date(timeIntervalSince1970: -1)) == "19691231T235959Z")
        #expect(ICalendarValue.local(.init(year: 2026, month: 3, day: 9, hour: 2, minute: 5, second: 7)) == "20260309T020507")
        #expect(ICalendarValue.offset(seconds: 3600) == "+0100")
        #expect(ICalendarValue.offset(seconds: -12_600) == "-0330")
        #expect(ICalendarValue.offset(seconds: 0) == "+0000")
        #expect(ICalendarValue.offset(seconds: 3208) == "+005328")
        #expect(ICalendarValue.duration(seconds: 0) == "PT0S")
        #expect(ICalendarValue.duration(seconds: -86_400) == "-PT24H")
        #expect(ICalendarValue.duration(seconds: -5400) == "-PT1H30M")
        #expect(ICalendarValue.duration(seconds: -3615) == "-PT1H0M15S")
        #expect(ICalendarValue.duration(seconds: -45) == "-PT45S")
        #expect(ICalendarValue.duration(seconds: 90) == "PT1M30S")
        #expect(ICalendarValue.duration(seconds: -31_536_000) == "-PT8760H")
    }
}
