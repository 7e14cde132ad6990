import Foundation
import IntegrationSupport
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import Testing

/// Long and unusual titles and sender names, read back by Python's e-mail
/// package as a mail client would: the subject and name intact, no defects,
/// no line over 998 octets.
@Suite("E-mail headers read by Python's e-mail package", .timeLimit(.minutes(2)))
struct EmailHeaderSizeTests {
    static let titles = [
        String(repeating: "🔔", count: 300),
        String(repeating: "👨‍👩‍👧‍👦", count: 50) + " familie",
        "e" + String(repeating: "\u{301}", count: 60) + " efter mange accenter",
        String(repeating: "A\u{30A}bent ", count: 150),
        String(repeating: "漢字かな", count: 300),
        String(repeating: "Ring til kunden om sagen ", count: 45),
        String(repeating: "x", count: 1200),
        "Ring til 顧客 🔔 — e\u{301}\u{302} " + String(repeating: "ø🇩🇰", count: 120),
    ]

    @Test("a 1,200-character title of emoji, combining marks and CJK, sent through the SMTP sink, arrives whole")
    func throughTheSink() async throws {
        try await withSMTPSink { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                let smtp = EmailSender.smtpConfiguration(host: "127.0.0.1", port: sink.port, user: "", password: "", useTLS: false)
                let title = String(repeating: "🔔e\u{301}\u{302}漢", count: 200)
                let delivery = bench.delivery(.email, title: title)
                try await bench.enqueue([delivery])
                try await bench.run([bench.worker(bench.configuration(.email), sender: try emailSender(smtp))]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    let log = try await bench.log(of: delivery.deliveryID)
                    #expect(sent, "\(log)")
                }
                let messages = try sink.messages()
                try #require(messages.count == 1)
                Self.expectShortLines(messages[0].raw)
                let email = try await InspectedEmail.inspect(messages[0].raw)
                #expect(email.defects.isEmpty, "\(email.defects)")
                #expect(email.subject == "Påmindelse: " + title)
            }
        }
    }

    @Test("titles of emoji, combining marks, CJK and 1,000+ characters: Python reads each subject back exactly")
    func titles() async throws {
        for title in Self.titles {
            let raw = try Self.render(title: title, senderName: "BMC Hub")
            Self.expectShortLines(raw)
            let email = try await InspectedEmail.inspect(raw)
            #expect(email.defects.isEmpty, "\(email.defects)")
            #expect(email.subject == "Påmindelse: " + title, "\(title.prefix(20))…")
        }
    }

    @Test("sender names, short or long, ASCII with specials or not, are read back with the address")
    func senderNames() async throws {
        for name in ["Bøgh & Søn", String(repeating: "Hub, support @ afdeling ", count: 20), String(repeating: "Ø🔔", count: 200)] {
            let raw = try Self.render(title: "t", senderName: name)
            Self.expectShortLines(raw)
            let email = try await InspectedEmail.inspect(raw)
            #expect(email.defects.isEmpty, "\(email.defects)")
            #expect(email.from_address == "noreply@bmcnetworks.dk")
            if MIMEText.encodedWordList(name).count == 1 {
                #expect(email.from_name == name)
            } else {
                // Python (3.11) keeps the folding space between the encoded words
                // of a display name, where RFC 2047 drops it; its own long names
                // do not read back either. The words themselves must be exact:
                // the unit tests decode them strictly.
                #expect(email.from_name?.filter { !$0.isWhitespace } == name.filter { !$0.isWhitespace })
            }
        }
    }

    static func render(title: String, senderName: String) throws -> [UInt8] {
        let delivery = Delivery(
            eventID: UUID(), deliveryID: "0c3ad3a4:user:42:email", firedEventID: UUID(), reminderID: 7, sagID: 123,
            caseTitle: "Sag", channel: .email, recipientUserID: 42, recipientEmail: nil, toAddress: "ann@example.test",
            mattermostUsername: nil, title: title, message: "Besked", priority: .normal, notBefore: nil
        )
        return try EmailMessage.render(
            delivery, sender: .init(name: senderName, address: "noreply@bmcnetworks.dk"), templates: try EmailTemplates.bundled(),
            publicBaseURL: "https://hub.example.test", date: Date()
        ).bytes
    }

    /// Every header line within 78 characters (but the Message-ID, which
    /// cannot be folded), every line within 998 octets.
    static func expectShortLines(_ raw: [UInt8]) {
        let text = String(decoding: raw, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") where !line.hasPrefix("Message-ID:") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
    }
}
