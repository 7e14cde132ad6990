import Foundation
import ReminderDomain
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
}
