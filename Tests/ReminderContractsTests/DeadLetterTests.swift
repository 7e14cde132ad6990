import Foundation
import ReminderContracts
import Testing

/// A dead letter can always be stored (no NUL, bounded one-line reason) and
/// always gives back the exact bytes it parked.
@Suite("Dead letters")
struct DeadLetterTests {
    static let bytes: [UInt8] = [0x00, 0x7B, 0xFF, 0xC3, 0x28, 0xE2, 0x82, 0x0A, 0xF0, 0x9F, 0x94, 0x94, 0x00] + Array("ø".utf8)

    static func letter(value: [UInt8]?, reason: String = "unreadable", eventID: String = "e-1", key: [UInt8]? = Array("k".utf8)) -> DeadLetter {
        DeadLetter(
            eventID: eventID, sourceTopic: "reminders.deliver.email", sourcePartition: 3, sourceOffset: 42,
            reason: reason, failedAt: Date(timeIntervalSince1970: 1_800_000_000), value: value, key: key
        )
    }

    @Test("NUL and invalid UTF-8: the readable copy has U+FFFD for them, the base64 copy the exact bytes")
    func bytesKept() {
        let letter = Self.letter(value: Self.bytes)
        #expect(letter.originalBytes == Self.bytes)
        #expect(letter.originalValue?.utf8.contains(0) == false)
        #expect(letter.originalValue?.hasSuffix("\u{FFFD}ø") == true)
        #expect(letter.originalValue?.contains("🔔") == true)
        #expect(letter.originalValueBase64 == Data(Self.bytes).base64EncodedString())
    }

    @Test("encoded as the pipeline encodes messages and decoded again, the letter still gives the exact bytes; the JSON holds no \\u0000")
    func roundTrip() throws {
        let letter = Self.letter(value: Self.bytes, key: [0x61, 0x00, 0xFF])
        let encoded = try MessageCoding.encode(letter)
        #expect(!String(decoding: encoded, as: UTF8.self).contains("\\u0000"))
        #expect(!encoded.contains(0))
        let decoded = try MessageCoding.decode(DeadLetter.self, from: encoded)
        #expect(decoded == letter)
        #expect(decoded.originalBytes == Self.bytes)
        #expect(decoded.originalKey == "a\u{FFFD}\u{FFFD}")
        for empty in [[UInt8](), [0x00]] {
            #expect(try MessageCoding.decode(DeadLetter.self, from: MessageCoding.encode(Self.letter(value: empty))).originalBytes == empty)
        }
        #expect(Self.letter(value: nil).originalBytes == nil)
    }

    @Test("a reason or event id with NUL, line breaks, tabs or no end is one bounded line")
    func textMadeSafe() {
        let letter = Self.letter(
            value: [1], reason: "cannot record\u{0}: \"\(String(repeating: "x\t", count: 5000))\"", eventID: "id\u{0}\r\n" + String(repeating: "é", count: 500)
        )
        #expect(!letter.reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(letter.reason.utf8.count <= StoredText.maximumReasonBytes)
        #expect(letter.reason.hasPrefix("cannot record\u{FFFD}: \"x x "))
        #expect(letter.eventID.hasPrefix("id\u{FFFD}  é"))
        #expect(letter.eventID.utf8.count <= 200)
    }

    @Test("a letter built by hand is made safe by sanitised(), which changes nothing the second time")
    func sanitisedByHand() throws {
        var letter = Self.letter(value: Array("ok".utf8))
        letter.originalValue = "a\u{0}b"
        letter.originalKey = "\u{0}"
        letter.reason = "r\u{0}\n"
        let safe = letter.sanitised()
        #expect(safe.originalValue == "a\u{FFFD}b")
        #expect(safe.originalKey == "\u{FFFD}")
        #expect(safe.reason == "r\u{FFFD} ")
        #expect(safe.sanitised() == safe)
        #expect(safe.originalBytes == Array("ok".utf8), "the base64 copy is left as it is")
    }

    @Test("a letter parked before the base64 copy existed gives back its text")
    func olderLetters() throws {
        let json = #"{"event_id":"e","source_topic":"t","reason":"r","failed_at":"2026-01-01T00:00:00.000000Z","original_value":"{\"a\":1}"}"#
        let letter = try MessageCoding.decode(DeadLetter.self, from: Array(json.utf8))
        #expect(letter.originalBytes == Array(#"{"a":1}"#.utf8))
    }
}
