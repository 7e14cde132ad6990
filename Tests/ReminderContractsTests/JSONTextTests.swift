import Foundation
import ReminderContracts
import Testing

@Suite("JSON text")
struct JSONTextTests {
    static func string(_ text: String) -> String {
        var output: [UInt8] = []
        JSONText.appendString(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test("line and paragraph separators are escaped; other three-byte characters starting E2 pass through")
    func separators() throws {
        #expect(Self.string("a\u{2028}b\u{2029}c") == #""a\u2028b\u2029c""#)
        #expect(Self.string("€ … ‘x’ \u{2027}\u{202A}") == "\"€ … ‘x’ \u{2027}\u{202A}\"")
        #expect(Self.string("\u{2028}") == #""\u2028""#)
    }

    @Test("every control character is escaped and the text reads back the same")
    func controlsRoundTrip() throws {
        let text = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\"\\/\u{7F}ø\u{2028}😀"
        let written = Self.string(text)
        #expect(written.utf8.allSatisfy { $0 >= 0x20 })
        #expect(try JSONDecoder().decode(String.self, from: Data(written.utf8)) == text)
    }

    @Test("numbers: whole ones without a fraction, others exact, NaN and infinities refused")
    func numbers() throws {
        var output: [UInt8] = []
        try JSONText.appendNumber(3, to: &output)
        output.append(UInt8(ascii: " "))
        try JSONText.appendNumber(0.1, to: &output)
        output.append(UInt8(ascii: " "))
        JSONText.appendInteger(Int64.max, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "3 0.1 9223372036854775807")
        #expect(throws: JSONTextError.self) { try JSONText.appendNumber(.nan, to: &output) }
        #expect(throws: JSONTextError.self) { try JSONText.appendNumber(-.infinity, to: &output) }
    }
}
