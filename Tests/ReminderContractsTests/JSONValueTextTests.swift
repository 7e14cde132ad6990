import Foundation
import ReminderContracts
import Testing

@Suite("JSON text of JSONValue")
struct JSONValueTextTests {
    /// A mix of every kind of value, with awkward strings and numbers.
    private static func sample(_ seed: Int) -> JSONValue {
        let strings = ["", "plain", "quote \" and \\ backslash", "line\nbreak\r\ttab", "æøå 🎉", "\u{01}\u{1F}\u{7F}", "/slash/", "\u{0}nul"]
        let numbers: [Double] = [0, -0.0, 1, -42, 7_000_000_000, 9_007_199_254_740_991, 0.1, -2.5e-7, 1e21, 123.456]
        return .object([
            "s\(seed)": .string(strings[seed % strings.count]),
            "n": .number(numbers[seed % numbers.count]),
            "b": .bool(seed % 2 == 0),
            "z": .null,
            "a": .array([.string(strings[(seed + 3) % strings.count]), .number(numbers[(seed + 1) % numbers.count]), .object([:]), .array([])]),
            "nested": .object(["ü": .string(strings[(seed + 5) % strings.count])]),
        ])
    }

    @Test("reads back as the same value through Foundation's decoder, for many mixed documents")
    func roundTrips() throws {
        for seed in 0..<200 {
            let value = Self.sample(seed)
            let text = try value.jsonText()
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(decoded == value, "\(text)")
            #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        }
    }

    @Test("compact, keys sorted, slashes and non-ASCII as they are, control characters escaped, whole numbers without a fraction")
    func shape() throws {
        let value = JSONValue.object(["b": .number(3), "a": .string("x/y\u{01}ø\n"), "c": .array([.null, .bool(true), .number(0.5)])])
        #expect(try value.jsonText() == #"{"a":"x/y\u0001ø\n","b":3,"c":[null,true,0.5]}"#)
    }

    @Test("a number JSON cannot hold is refused")
    func nonFinite() {
        #expect(throws: JSONTextError.self) { try JSONValue.number(.nan).jsonText() }
        #expect(throws: JSONTextError.self) { try JSONValue.array([.number(.infinity)]).jsonText() }
    }

    @Test("ids above 2^53 survive decoding, writing and decoding again exactly")
    func largeIntegers() throws {
        for id: Int64 in [9_007_199_254_740_993, 1 << 62 + 1, Int64.max, Int64.min, -9_007_199_254_740_995] {
            let text = #"{"id":\#(id)}"#
            let decoded = try MessageCoding.decode(JSONValue.self, from: Array(text.utf8))
            #expect(decoded["id"] == .integer(id))
            #expect(decoded["id"]?.int64Value == id)
            #expect(try decoded.jsonText() == text)
            #expect(try MessageCoding.encode(decoded) == Array(text.utf8))
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(try decoded.jsonText().utf8)) == decoded)
        }
    }

    @Test("1 and 1.0 read as the integer 1 and write as 1; 1.5 stays a Double; numbers compare by value")
    func integerOrDouble() throws {
        func read(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        guard case .integer(1) = try read("1") else { Issue.record("1 is not .integer(1)"); return }
        guard case .number(1.5) = try read("1.5") else { Issue.record("1.5 is not .number(1.5)"); return }
        guard case .number(let huge) = try read("1e300"), huge == 1e300 else { Issue.record("1e300 is not a Double"); return }
        guard case .number(let beyond) = try read("9223372036854775808"), beyond == 9_223_372_036_854_775_808 else {
            Issue.record("2^63 is not a Double"); return
        }
        #expect(try read("1.0") == .integer(1))
        #expect(try JSONValue.integer(1).jsonText() == "1")
        #expect(try JSONValue.number(1.0).jsonText() == "1")
        #expect(try JSONValue.number(1.5).jsonText() == "1.5")
        #expect(try JSONValue.number(-0.0).jsonText() == "0")
        #expect(JSONValue.integer(1) == .number(1.0))
        #expect(JSONValue.integer(1) != .number(1.5))
        #expect(JSONValue.integer(9_007_199_254_740_993) != .number(9_007_199_254_740_992))
        #expect(JSONValue.integer(1) != .string("1"))
        #expect(JSONValue.number(2.5).int64Value == nil)
        #expect(JSONValue.integer(7).doubleValue == 7)
        #expect(JSONValue.string("7").doubleValue == nil)
    }
}
