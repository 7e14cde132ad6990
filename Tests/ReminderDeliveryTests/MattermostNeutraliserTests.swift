import Foundation
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import Testing

/// User text in a Mattermost post pings no one and links nowhere, yet reads
/// as typed; our own link to the case stays a link.
@Suite("Mattermost neutraliser")
struct MattermostNeutraliserTests {
    static let joiner = "\u{2060}"

    /// What Mattermost would act on, as patterns over the posted text.
    static let livePatterns: [(String, String)] = [
        ("mention", "[@\u{FF20}\u{FE6B}](?!\u{2060})"),
        ("channel link", "~(?!\u{2060})"),
        ("scheme", "(?i)[a-z][a-z0-9+.\\-]*:(?!\u{2060})[^\\s]"),
        ("www", "(?i)www\\d{0,3}\\."),
        ("domain or address", "[\\p{L}\\p{N}]\\.[\\p{L}\\p{N}]"),
    ]

    /// The live pattern `text` still holds, if any.
    static func liveParts(_ text: String) -> [String] {
        livePatterns.compactMap { name, pattern in
            let regex = try! NSRegularExpression(pattern: pattern)
            let range = NSRange(text.startIndex..., in: text)
            return regex.firstMatch(in: text, range: range).map { match in "\(name): \(String(text[Range(match.range, in: text)!]))" }
        }
    }

    /// What a reader sees: joiners are invisible, Markdown escapes are not shown.
    static func visible(_ text: String) -> String {
        var output = ""
        var escaped = false
        for character in text.replacingOccurrences(of: joiner, with: "") {
            if !escaped, character == "\\" {
                escaped = true
                continue
            }
            if escaped, !"\\`*_[]()<>#|~".contains(character) { output.append("\\") }
            output.append(character)
            escaped = false
        }
        if escaped { output.append("\\") }
        return output
    }

    static let cases = [
        "@all", "@channel", "@here", "@someuser", "@ann.h", "@all møde nu", "hej @all!", "(@here)", "@@all", "@",
        "＠all", "﹫here", "ann@example.test", "ann.h@example.test skriv", "~town-square", "~off-topic og ~andet",
        "http://evil.test", "https://evil.test/x?y=1", "HTTP://EVIL.TEST", "ftp://files.test", "mailto:ann@example.test",
        "tel:+4512345678", "slack://open", "www.example.com", "WWW.Example.COM", "www2.example.com", "example.com/path",
        "evil.test", "sub.domain.co.uk", "192.168.0.1", "se http://a.b og www.c.d og e@f.g", "Påmindelse: ring @all på www.kunde.dk",
        "[klik](http://evil.test)", "<http://evil.test>", "![billede](http://evil.test/x.png)", "@all\u{2060}", "æøå@ø.dk",
        "kl. 10:30 i 2. sal", "12:00", "a:b", "note: x", ":bell: @here",
    ]

    @Test("each case: nothing live is left, and the reader sees the text as typed", arguments: cases)
    func neutralised(_ text: String) {
        let safe = MattermostPost.userText(text)
        #expect(Self.liveParts(safe).isEmpty, "\(text.debugDescription) → \(safe.debugDescription): \(Self.liveParts(safe))")
        #expect(Self.visible(safe) == text.replacingOccurrences(of: Self.joiner, with: ""))
    }

    @Test("nothing else changes: text without @, ~, schemes or dotted names is only Markdown-escaped")
    func plainTextUntouched() {
        for text in ["Ring til kunden", "Husk mødet kl 10", "2. sal", "Prioritet høj!", "slut.", "1,5 time", "e\u{301} 漢字 🔔"] {
            #expect(MattermostPost.userText(text) == MattermostPost.escapeMarkdown(text))
        }
    }

    @Test("random mixes of mention, link and ordinary pieces: nothing live, the text as typed")
    func randomMixes() {
        let pieces = ["@", "all", "here", "channel", "~", "http", "https", ":", "//", "www", ".", "com", "dk", "3", "ø", "漢",
                      " ", "\n", "/", "\\", "[", "]", "(", ")", "<", ">", "*", "＠", "mailto", "tel", "-", "_", "🔔", "e\u{301}"]
        var state: UInt64 = 0x6D6D
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<1000 {
            let text = (0..<(next() % 25)).map { _ in pieces[next() % pieces.count] }.joined()
            let safe = MattermostPost.userText(text)
            #expect(Self.liveParts(safe).isEmpty, "\(text.debugDescription) → \(safe.debugDescription)")
            #expect(Self.visible(safe) == text)
        }
    }

    @Test("the post: title, message and case title made inert; our own link to the case stays a working link")
    func post() throws {
        let delivery = Delivery(
            eventID: UUID(), deliveryID: "x:user:1:mattermost", firedEventID: UUID(), reminderID: 1, sagID: 55,
            caseTitle: "@here www.kunde.dk", channel: .mattermost, recipientUserID: 1, recipientEmail: nil, toAddress: nil,
            mattermostUsername: "ann.h", title: "@all se http://evil.test", message: "@channel ~town-square mailto:x@y.dk",
            priority: .urgent, notBefore: nil
        )
        let post = MattermostPost.render(delivery, publicBaseURL: "https://hub.test/")
        #expect(post.channel == "@ann.h")
        let link = "](https://hub.test/sag/55)"
        #expect(post.text.hasSuffix(link))
        // Everything but our own words (the heading's prefix, the priority line) and our link.
        let lines = post.text.split(separator: "\n").map(String.init)
        try #require(lines.count == 4)
        let userParts = [
            String(try #require(lines[0].components(separatedBy: "Påmindelse: ").last)), lines[1],
            String(lines[3].dropFirst("[Sag 55: ".count).dropLast(link.count)),
        ]
        #expect(lines[2] == "**Prioritet:** haster")
        for part in userParts { #expect(Self.liveParts(part).isEmpty, "\(part.debugDescription)") }
        #expect(Self.visible(post.text).contains("Påmindelse: @all se http://evil.test"))
        #expect(Self.visible(post.text).contains("@channel ~town-square mailto:x@y.dk"))
        #expect(Self.visible(post.text).contains("[Sag 55: @here www.kunde.dk]"))
    }
}
