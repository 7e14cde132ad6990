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

@Suite("Plain string objects")
struct PlainStringObjectTests {
    @Test("plain objects read as JSONDecoder reads them; anything else is left to it")
    func againstJSONDecoder() throws {
        #expect(JSONText.plainStringObject("{}") == [:])
        #expect(JSONText.plainStringObject(#" { "delivery_id" : "a:1:email" ,"k":"" } "#) == ["delivery_id": "a:1:email", "k": ""])
        #expect(JSONText.plainStringObject(#"{"æ": "🙂 ø"}"#) == ["æ": "🙂 ø"])
        for refused in [#"{"a": 1}"#, #"{"a": "b\"c"}"#, #"{"a\n": "b"}"#, #"{"a": "b",}"#, #"{"a": "b"} x"#, #"{"a": "b", "a": "c"}"#,
                        #"["a"]"#, #"{"a" "b"}"#, #"{"a": "b""#, "", "{", #"{"a": null}"#, "{\"a\": \"b\u{1}\"}"] {
            #expect(JSONText.plainStringObject(refused) == nil, "\(refused)")
        }
        // Random documents in PostgreSQL's spacing and compact: whenever the
        // plain reader answers, JSONDecoder gives the same object.
        let pieces = ["a", "Z", "9", " ", "_", ":", ",", "{", "}", "æ", "🙂", "\\\"", "\\\\", "\\n", "\\u00e6", "/"]
        var random = SystemRandomNumberGenerator()
        var answered = 0
        for _ in 0..<2000 {
            let members = (0..<Int.random(in: 0...3, using: &random)).map { _ -> String in
                let key = (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                let value = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                return Bool.random(using: &random) ? "\"\(key)\": \"\(value)\"" : "\"\(key)\":\"\(value)\""
            }
            let text = "{" + members.joined(separator: Bool.random(using: &random) ? ", " : ",") + "}"
            guard let plain = JSONText.plainStringObject(text) else { continue }
            answered += 1
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            #expect(plain == decoded, "\(text)")
        }
        #expect(answered > 200, "the random documents were almost never plain (\(answered))")
    }
}
