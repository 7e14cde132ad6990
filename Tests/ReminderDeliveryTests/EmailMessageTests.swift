import Foundation
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import Testing

@Suite("E-mail rendering")
struct EmailMessageTests {
    static let templates = try! EmailTemplates.bundled()
    static let sender = EmailMessage.Sender(name: "BMC Hub", address: "noreply@bmcnetworks.dk")
    static let date = Date(timeIntervalSince1970: 1_795_000_000)

    static func delivery(title: String = "Ring til kunden", message: String? = "Husk at følge op", to: String? = "ann@example.test", priority: Priority = .normal) -> Delivery {
        Delivery(
            eventID: UUID(), deliveryID: "0c3ad3a4-5c39-4b8a-9d8b-3b1f3c1c5f10:user:42:email", firedEventID: UUID(),
            reminderID: 7, sagID: 123, caseTitle: "Server i Århus", channel: .email, recipientUserID: 42, recipientEmail: nil,
            toAddress: to, mattermostUsername: nil, title: title, message: message, priority: priority, notBefore: nil
        )
    }

    static func render(_ delivery: Delivery, sender: EmailMessage.Sender = sender) throws -> (EmailMessage, String) {
        let message = try EmailMessage.render(delivery, sender: sender, templates: templates, publicBaseURL: "https://hub.example.test/", date: date)
        return (message, String(decoding: message.bytes, as: UTF8.self))
    }

    @Test("headers: From with quoted name, To, RFC 2047 subject with æøå, Date, Message-ID, MIME-Version")
    func headers() throws {
        let (message, raw) = try Self.render(Self.delivery(title: "Æblegrød på ø"))
        #expect(MIMEReader.header("From", in: raw) == "\"BMC Hub\" <noreply@bmcnetworks.dk>")
        #expect(MIMEReader.header("To", in: raw) == "<ann@example.test>")
        let subject = try #require(MIMEReader.header("Subject", in: raw))
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(MIMEReader.decodeWords(subject) == "Påmindelse: Æblegrød på ø")
        #expect(message.subject == "Påmindelse: Æblegrød på ø")
        #expect(MIMEReader.header("Date", in: raw) == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(MIMEReader.header("Message-ID", in: raw) == "<\(message.messageID)>")
        #expect(MIMEReader.header("MIME-Version", in: raw) == "1.0")
        #expect(MIMEReader.header("Content-Type", in: raw)?.hasPrefix("multipart/alternative; boundary=") == true)
    }

    @Test("the message is 7-bit with CRLF line endings and no line over 78 characters")
    func wireForm() throws {
        let long = String(repeating: "Særlig lang overskrift med æøå ", count: 8)
        let (_, raw) = try Self.render(Self.delivery(title: long))
        #expect(raw.utf8.allSatisfy { $0 < 0x80 })
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        for line in raw.components(separatedBy: "\r\n") {
            // A Message-ID cannot be folded; lines may reach 998 characters.
            #expect(line.count <= (line.hasPrefix("Message-ID:") ? 998 : 78), "\(line)")
        }
        let subject = try #require(MIMEReader.header("Subject", in: raw))
        #expect(MIMEReader.decodeWords(subject) == "Påmindelse: " + long.trimmingCharacters(in: .whitespaces) + (long.hasSuffix(" ") ? " " : ""))
    }

    @Test("a non-ASCII sender name is an encoded word")
    func encodedSenderName() throws {
        let (_, raw) = try Self.render(Self.delivery(), sender: .init(name: "Bøgh & Søn", address: "hub@bogh.dk"))
        let from = try #require(MIMEReader.header("From", in: raw))
        #expect(from.hasSuffix(" <hub@bogh.dk>"))
        #expect(MIMEReader.decodeWords(String(from.dropLast(" <hub@bogh.dk>".count))) == "Bøgh & Søn")
    }

    @Test("both parts, UTF-8 and base64; HTML escapes the values, plain text keeps them; both link to the case")
    func parts() throws {
        let title = #"<b>&" æøå"#
        let (_, raw) = try Self.render(Self.delivery(title: title, message: "Linje 1\nLinje <2>"))
        let contentType = try #require(MIMEReader.header("Content-Type", in: raw))
        let boundary = String(contentType.split(separator: "\"")[1])
        let parts = MIMEReader.parts(of: raw, boundary: boundary)
        try #require(parts.count == 2)
        #expect(parts[0].contentType == "text/plain; charset=utf-8")
        #expect(parts[1].contentType == "text/html; charset=utf-8")
        #expect(parts.allSatisfy { $0.encoding == "base64" })
        #expect(parts[0].text.contains(title))
        #expect(parts[0].text.contains("Linje <2>"))
        #expect(parts[1].text.contains("&lt;b&gt;&amp;&quot; æøå"))
        #expect(!parts[1].text.contains("<b>&\""))
        #expect(parts[1].text.contains("Linje &lt;2&gt;"))
        for part in parts {
            #expect(part.text.contains("https://hub.example.test/sag/123"))
            #expect(part.text.contains("Server i Århus"))
            #expect(!part.text.contains("{{"))
        }
    }

    @Test("Message-ID: a dot-atom derived from the delivery id, at the sender's host; stable and distinct")
    func messageID() throws {
        let id = EmailMessage.messageID(deliveryID: "0c3ad3a4-5c39:user:42:email", fromAddress: "noreply@BMCnetworks.dk")
        #expect(id == "reminder.0c3ad3a4-5c39.user.42.email@bmcnetworks.dk")
        let bare = EmailMessage.messageID(deliveryID: "abc:email:a.b@c.dk:email", fromAddress: "x@h.dk")
        #expect(bare == "reminder.abc.email.a=2Eb=40c=2Edk.email@h.dk")
        #expect(EmailMessage.messageID(deliveryID: "a::b", fromAddress: "no-at-sign") == "reminder.a.-.b@localhost")
        let first = try Self.render(Self.delivery()).0.messageID
        #expect(try Self.render(Self.delivery()).0.messageID == first)
        var other = Self.delivery()
        other.deliveryID = "0c3ad3a4-5c39-4b8a-9d8b-3b1f3c1c5f10:user:43:email"
        #expect(try Self.render(other).0.messageID != first)
    }

    @Test("high and urgent priority set Importance; normal does not")
    func importance() throws {
        #expect(MIMEReader.header("Importance", in: try Self.render(Self.delivery(priority: .urgent)).1) == "high")
        #expect(MIMEReader.header("Importance", in: try Self.render(Self.delivery(priority: .normal)).1) == nil)
    }

    @Test("no address, or one that could inject headers, cannot be rendered")
    func badAddress() {
        #expect(throws: DeliveryError.self) { try Self.render(Self.delivery(to: nil)) }
        #expect(throws: DeliveryError.self) { try Self.render(Self.delivery(to: "a@b.dk\r\nBcc: x@y.dk")) }
        #expect(throws: DeliveryError.self) { try Self.render(Self.delivery(to: "not-an-address")) }
    }

    @Test("a title with a line break stays one header line")
    func titleWithNewline() throws {
        let (message, raw) = try Self.render(Self.delivery(title: "one\r\nBcc: evil@x.dk"))
        #expect(message.subject == "Påmindelse: one Bcc: evil@x.dk")
        #expect(MIMEReader.header("Bcc", in: raw) == nil)
    }
}

@Suite("MIME encodings and templates")
struct MIMETextTests {
    @Test("ASCII header text stays as it is; anything else becomes encoded words of at most 75 characters")
    func encodedWords() {
        #expect(MIMEText.encodedWords("Hello there") == "Hello there")
        #expect(MIMEText.encodedWords("=?x?=") != "=?x?=")
        let encoded = MIMEText.encodedWords(String(repeating: "ø", count: 100))
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        #expect(MIMEReader.decodeWords(encoded.replacingOccurrences(of: "\r\n ", with: " ")) == String(repeating: "ø", count: 100))
    }

    @Test("HTML escaping covers the five special characters")
    func escape() {
        #expect(MIMEText.escapeHTML(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test("templates fill known names, keep unknown ones, escape only values")
    func template() {
        let template = TextTemplate("<p>{{ title }}</p>{{unknown}}{{title}")
        #expect(template.fill(["title": "<x>"], escape: MIMEText.escapeHTML) == "<p>&lt;x&gt;</p>{{unknown}}{{title}")
    }

    @Test("templates: a value with braces is not filled again; unclosed, empty and non-ASCII neighbours stay intact")
    func templateEdges() {
        #expect(TextTemplate("{{a}}{{b}}").fill(["a": "{{b}}", "b": "B"]) == "{{b}}B")
        #expect(TextTemplate("æ{{a}}ø{{").fill(["a": "å"]) == "æåø{{")
        #expect(TextTemplate("{{}}{{ }}x").fill(["": "E"]) == "EEx")
        #expect(TextTemplate("").fill(["a": "b"]) == "")
    }

    @Test("longest line: cut at CRLF only, the same as splitting on CRLF, exhaustively over short strings")
    func longestLine() {
        #expect(EmailMessage.longestLineOctets("") == 0)
        #expect(EmailMessage.longestLineOctets("ab\r\nc") == 2)
        #expect(EmailMessage.longestLineOctets("a\r\r\nbc\n") == 3)
        #expect(EmailMessage.longestLineOctets("æ\r\n") == 2)
        let alphabet: [Character] = ["a", "\r", "\n", "ø"]
        var inputs = [""]
        for _ in 0..<6 { inputs = inputs + inputs.flatMap { prefix in alphabet.map { prefix + String($0) } } }
        for input in Set(inputs) {
            let expected = input.components(separatedBy: "\r\n").map(\.utf8.count).max() ?? 0
            #expect(EmailMessage.longestLineOctets(input) == expected, "\(Array(input.utf8))")
        }
    }

    @Test("base64 lines: Foundation's base64 cut into CRLF-ended lines of 76, for every length up to 400")
    func base64Lines() {
        var random = SystemRandomNumberGenerator()
        for count in 0...400 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            let encoded = Data(bytes).base64EncodedString()
            var expected = ""
            var rest = Substring(encoded)
            while !rest.isEmpty {
                expected += rest.prefix(76) + "\r\n"
                rest = rest.dropFirst(76)
            }
            #expect(MIMEText.base64Lines(bytes) == expected, "\(count) bytes")
        }
    }

    @Test("HTML escaping works on bytes: a combining mark after < or & does not hide it")
    func escapeHTMLCombining() {
        #expect(MIMEText.escapeHTML("<\u{338}b>&\u{301}") == "&lt;\u{338}b&gt;&amp;\u{301}")
        #expect(MIMEText.escapeHTML("æøå 🙂") == "æøå 🙂")
        #expect(MIMEText.escapeHTML("") == "")
    }

    @Test("templates: the same text is filled the same way again, and equal texts make equal templates")
    func templateRepeatable() {
        let template = TextTemplate("Hej {{ name }}, {{case}} {{ name}}{{x")
        for value in ["A", "{{case}}", "", "ø"] {
            #expect(template.fill(["name": value, "case": "7"]) == "Hej \(value), 7 \(value){{x")
        }
        #expect(template == TextTemplate("Hej {{ name }}, {{case}} {{ name}}{{x"))
        #expect(template != TextTemplate("Hej {{ name }}"))
    }

    @Test("line endings: LF, CR and CRLF all become CRLF, nothing else changes")
    func lineEndings() {
        #expect(MIMEText.crlf("a\nb\rc\r\nd\n\ne") == "a\r\nb\r\nc\r\nd\r\n\r\ne")
        #expect(MIMEText.crlf("\r\r\n\n") == "\r\n\r\n\r\n")
        #expect(MIMEText.crlf("æøå") == "æøå")
        #expect(MIMEText.crlf("") == "")
        // Exhaustive over short strings of the four interesting characters.
        let alphabet: [Character] = ["a", "\r", "\n", "ø"]
        var inputs = [""]
        for _ in 0..<5 { inputs = inputs + inputs.flatMap { prefix in alphabet.map { prefix + String($0) } } }
        for input in Set(inputs) {
            let reference = input.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n")
            #expect(MIMEText.crlf(input) == reference, "\(Array(input.utf8))")
        }
    }

    @Test("the bundled templates load and use every value")
    func bundled() throws {
        let templates = try EmailTemplates.bundled()
        for name in ["title", "message", "case_url", "priority", "sag_id", "case_title"] {
            #expect(templates.html.text.contains("{{\(name)}}"), "html lacks \(name)")
            #expect(templates.text.text.contains("{{\(name)}}"), "text lacks \(name)")
        }
    }

    @Test("SMTP settings: STARTTLS, implicit TLS on 465, AUTH only with a user")
    func smtpSettings() {
        let starttls = EmailSender.smtpConfiguration(host: "h", port: 587, user: "", password: "p", useTLS: true)
        #expect(starttls.security == .startTLS)
        #expect(starttls.username == nil && starttls.password == nil)
        let implicit = EmailSender.smtpConfiguration(host: "h", port: 465, user: "u", password: "p", useTLS: true)
        #expect(implicit.security == .implicitTLS)
        #expect(implicit.username == "u" && implicit.password == "p")
        #expect(EmailSender.smtpConfiguration(host: "h", port: 25, user: "", password: "", useTLS: false).security == .none)
    }
}
