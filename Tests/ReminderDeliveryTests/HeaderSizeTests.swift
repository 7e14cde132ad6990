import Foundation
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import TestRandom
import Testing

/// Header sizes: RFC 2047 words split between Unicode scalars (never inside
/// one's UTF-8 sequence, never by grapheme), each at most 75 characters and
/// decoding on its own; no header line over 998 octets, whatever the title.
@Suite("E-mail header sizes")
struct HeaderSizeTests {
    /// Titles that break naive splitting: graphemes of many bytes, scalars of
    /// every UTF-8 length, and lengths far past one line.
    static let titles: [(String, String)] = [
        ("emoji", String(repeating: "🔔", count: 300)),
        ("family emoji, one grapheme of 25 bytes", String(repeating: "👨‍👩‍👧‍👦", count: 60)),
        ("flag tag sequence, 28 bytes", String(repeating: "🏴󠁧󠁢󠁳󠁣󠁴󠁿", count: 40)),
        ("one grapheme of 101 bytes", "e" + String(repeating: "\u{301}", count: 50)),
        ("one grapheme of 401 bytes, then text", "a" + String(repeating: "\u{0489}", count: 200) + " efter"),
        ("decomposed Å and ø", String(repeating: "A\u{30A}o\u{338} ", count: 120)),
        ("CJK, 1200 characters", String(repeating: "漢字", count: 600)),
        ("ASCII, 1500 characters without a space", String(repeating: "x", count: 1500)),
        ("ASCII words, 1100 characters", String(repeating: "word ", count: 220)),
        ("mixed", "Ring til 顧客 🔔 om sag #123 — Åbent e\u{301}\u{302}\u{303} " + String(repeating: "ø🇩🇰", count: 150)),
        ("four-byte scalars only", String(repeating: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", count: 100)),
        ("empty", ""),
        ("spaces inside", "  two  spaces  "),
    ]

    static let sender = EmailMessage.Sender(name: "BMC Hub", address: "noreply@bmcnetworks.dk")
    static let templates = try! EmailTemplates.bundled()

    static func render(title: String, sender: EmailMessage.Sender = sender, deliveryID: String = "0c3ad3a4:user:42:email") throws -> String {
        let delivery = Delivery(
            eventID: UUID(), deliveryID: deliveryID, firedEventID: UUID(), reminderID: 7, sagID: 123, caseTitle: nil,
            channel: .email, recipientUserID: 42, recipientEmail: nil, toAddress: "ann@example.test", mattermostUsername: nil,
            title: title, message: nil, priority: .normal, notBefore: nil
        )
        let message = try EmailMessage.render(
            delivery, sender: sender, templates: templates, publicBaseURL: "https://hub.example.test", date: Date(timeIntervalSince1970: 1_795_000_000)
        )
        return String(decoding: message.bytes, as: UTF8.self)
    }

    @Test("each title: every encoded word at most 75 characters and valid UTF-8 by itself; the subject decodes to the title", arguments: titles)
    func subject(_ name: String, _ title: String) throws {
        let raw = try Self.render(title: title)
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(name): a header line of \(line.utf8.count) octets")
        }
        let subject = try #require(StrictHeader.field("Subject", in: head))
        #expect(try StrictHeader.decode(subject) == "Påmindelse: " + title, "\(name)")
    }

    @Test("encoded words never exceed 39 bytes of UTF-8 and break only between scalars, for every scalar length at every offset")
    func wordBoundaries() throws {
        let scalars: [Unicode.Scalar] = ["a", "ø", "漢", "🔔", "\u{301}"]
        for scalar in scalars {
            for prefix in 0..<8 {
                for count in [1, 9, 10, 13, 19, 20, 38, 39, 40, 200] {
                    let text = String(repeating: "b", count: prefix) + String(repeating: String(scalar), count: count)
                    let words = MIMEText.encodedWordList(text)
                    var decoded = ""
                    for word in words {
                        #expect(word.utf8.count <= 75)
                        let bytes = try StrictHeader.bytes(ofWord: word)
                        #expect(bytes.count <= 39)
                        decoded += try #require(String(validating: bytes, as: UTF8.self), "a word split a UTF-8 sequence: \(word)")
                    }
                    #expect(decoded == text)
                }
            }
        }
        #expect(MIMEText.encodedWordList("").isEmpty)
    }

    @Test("random titles of every kind of scalar, up to 1,500 of them: every line within limits, every word whole, the subject intact")
    func randomTitles() throws {
        var random = SplitMix(seed: 0x2047)
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x17F, 0x300...0x36F, 0x4E00...0x9FFF, 0x1F300...0x1F64F, 0x200D...0x200D, 0xFE00...0xFE0F]
        for _ in 0..<200 {
            let length = Int(random.next() % 1500)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length {
                let pool = pools[Int(random.next() % UInt64(pools.count))]
                let value = pool.lowerBound + UInt32(random.next() % UInt64(pool.count))
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let title = String(scalars)
            let raw = try Self.render(title: title)
            let head = raw.components(separatedBy: "\r\n\r\n")[0]
            #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
            let subject = try #require(StrictHeader.field("Subject", in: head))
            #expect(try StrictHeader.decode(subject) == "Påmindelse: " + title)
        }
    }

    @Test("plain ASCII folds at its spaces into lines of at most 76; unfolding gives it back; a run too long for a line is encoded")
    func plainFolding() throws {
        let text = (1...300).map { "w\($0)" }.joined(separator: " ")
        let folded = MIMEText.encodedWords(text)
        #expect(folded.contains("\r\n "))
        #expect(folded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == text)
        #expect(MIMEText.encodedWords("Hello there") == "Hello there")

        let run = String(repeating: "y", count: 200)
        let encoded = MIMEText.encodedWords(run)
        #expect(encoded.hasPrefix("=?UTF-8?B?"))
        #expect(try StrictHeader.decode(encoded.replacingOccurrences(of: "\r\n ", with: " ")) == run)
    }

    @Test("sender names: a short ASCII name is quoted; a long one, or one with specials, is encoded and folded; the address stays whole")
    func senderNames() throws {
        #expect(MIMEText.mailbox(name: "BMC Hub", address: "a@b.dk") == "\"BMC Hub\" <a@b.dk>")
        for name in [String(repeating: "Very, long @ name ", count: 30), String(repeating: "Ø", count: 400), "e" + String(repeating: "\u{301}", count: 100)] {
            let raw = try Self.render(title: "t", sender: .init(name: name, address: "hub@example.test"))
            let head = raw.components(separatedBy: "\r\n\r\n")[0]
            #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
            let from = try #require(StrictHeader.field("From", in: head))
            #expect(from.hasSuffix(" <hub@example.test>"))
            #expect(try StrictHeader.decode(String(from.dropLast(" <hub@example.test>".count))) == name)
        }
    }

    @Test("a delivery id too long for a Message-ID gives a hashed one: stable, distinct, and the line far below 998 octets")
    func longMessageID() throws {
        let long = "0c3ad3a4:email:" + String(repeating: "å.b", count: 300) + "@example.test:email"
        let id = EmailMessage.messageID(deliveryID: long, fromAddress: "noreply@bmcnetworks.dk")
        #expect(id.utf8.count < 300)
        #expect(id == EmailMessage.messageID(deliveryID: long, fromAddress: "noreply@bmcnetworks.dk"))
        #expect(id != EmailMessage.messageID(deliveryID: long + "x", fromAddress: "noreply@bmcnetworks.dk"))
        let raw = try Self.render(title: "t", deliveryID: long)
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= EmailMessage.maximumLineOctets })
        // A short one is readable as before.
        #expect(EmailMessage.messageID(deliveryID: "a:b", fromAddress: "x@h.dk") == "reminder.a.b@h.dk")
    }

    @Test("an address longer than 254 octets, or a sender whose From line would pass 998 octets, is refused, not sent malformed")
    func overlongAddresses() throws {
        #expect(!EmailMessage.isUsableAddress(String(repeating: "a", count: 250) + "@b.dk"))
        #expect(EmailMessage.isUsableAddress(String(repeating: "a", count: 240) + "@b.dk"))
        #expect(throws: DeliveryError.self) {
            try Self.render(title: "t", sender: .init(name: "Hub", address: String(repeating: "s", count: 1000) + "@example.test"))
        }
    }
}

/// A strict reader of header fields made of RFC 2047 words: unlike a mail
/// client it accepts no word over 75 characters, no malformed word, and no
/// word whose bytes are not whole UTF-8 by themselves.
enum StrictHeader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The field's value, unfolded.
    static func field(_ name: String, in head: String) -> String? {
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ")
        for line in unfolded.components(separatedBy: "\r\n") where line.hasPrefix(name + ": ") {
            return String(line.dropFirst(name.count + 2))
        }
        return nil
    }

    /// The decoded bytes of one `=?UTF-8?B?…?=` word.
    static func bytes(ofWord word: String) throws -> [UInt8] {
        guard word.utf8.count <= 75, word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else {
            throw Malformed(description: "not an encoded word of at most 75 characters: \(word)")
        }
        let base64 = String(word.dropFirst(10).dropLast(2))
        guard let data = Data(base64Encoded: base64) else { throw Malformed(description: "bad base64 in \(word)") }
        return Array(data)
    }

    /// Decodes an unfolded value: encoded words separated by single spaces
    /// (dropped between words), or plain text.
    static func decode(_ value: String) throws -> String {
        let tokens = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard tokens.contains(where: { $0.hasPrefix("=?") }) else { return value }
        var text = ""
        for token in tokens {
            let bytes = try bytes(ofWord: token)
            guard let piece = String(validating: bytes, as: UTF8.self) else {
                throw Malformed(description: "a word splits a UTF-8 sequence: \(token)")
            }
            text += piece
        }
        return text
    }
}

