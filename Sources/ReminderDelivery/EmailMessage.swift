import Foundation
import ReminderContracts
import ReminderDomain

/// One reminder e-mail, rendered: a MIME `multipart/alternative` message
/// (plain text and HTML, UTF-8, base64) with an RFC 2047 subject and a
/// Message-ID derived from the delivery id, so a repeated send is visible as
/// the same message.
public struct EmailMessage: Sendable, Equatable {
    /// Who sends: `EMAIL_SMTP_FROM_NAME` and `EMAIL_SMTP_FROM_ADDRESS`.
    public struct Sender: Sendable, Equatable {
        /// The display name.
        public var name: String
        /// The address, also the envelope sender.
        public var address: String
        /// Creates a sender.
        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    /// The templates the bodies are rendered from.
    public struct Templates: Sendable, Equatable {
        /// The HTML body; values are HTML-escaped into it.
        public var html: TextTemplate
        /// The plain-text body; values go in as they are.
        public var text: TextTemplate
        /// Creates templates.
        public init(html: TextTemplate, text: TextTemplate) {
            self.html = html
            self.text = text
        }
    }

    /// The envelope sender.
    public var envelopeFrom: String
    /// The envelope recipient.
    public var recipient: String
    /// The `Message-ID` without angle brackets.
    public var messageID: String
    /// The subject, unencoded.
    public var subject: String
    /// The plain-text body.
    public var textBody: String
    /// The HTML body.
    public var htmlBody: String
    /// The header fields in order, values already encoded.
    public var headers: [(name: String, value: String)] {
        get { headerFields.map { ($0.name, $0.value) } }
        set { headerFields = newValue.map { HeaderField(name: $0.name, value: $0.value) } }
    }

    private var headerFields: [HeaderField]
    private var boundary: String

    private struct HeaderField: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// Renders `delivery`. Fails when it has no usable address.
    public static func render(
        _ delivery: Delivery, sender: Sender, templates: Templates, publicBaseURL: String, date: Date
    ) throws(DeliveryError) -> EmailMessage {
        guard let address = delivery.toAddress?.trimmingCharacters(in: .whitespaces), isUsableAddress(address) else {
            throw DeliveryError(.rendering, "the delivery has no usable e-mail address (\(delivery.toAddress.map { "\"\($0)\"" } ?? "none"))")
        }
        let content = NotificationContent(delivery, publicBaseURL: publicBaseURL)
        let subject = "Påmindelse: " + singleLine(delivery.title)
        let messageID = messageID(deliveryID: delivery.deliveryID, fromAddress: sender.address)
        let boundary = "=_reminder_" + stableHex(delivery.deliveryID)
        var headers: [HeaderField] = [
            HeaderField(name: "From", value: MIMEText.mailbox(name: sender.name, address: sender.address)),
            HeaderField(name: "To", value: "<\(address)>"),
            HeaderField(name: "Subject", value: MIMEText.encodedWords(subject)),
            HeaderField(name: "Date", value: MIMEText.rfc5322Date(date)),
            HeaderField(name: "Message-ID", value: "<\(messageID)>"),
            HeaderField(name: "MIME-Version", value: "1.0"),
            HeaderField(name: "Auto-Submitted", value: "auto-generated"),
        ]
        if delivery.priority == .high || delivery.priority == .urgent {
            headers.append(HeaderField(name: "Importance", value: "high"))
            headers.append(HeaderField(name: "X-Priority", value: "1"))
        }
        headers.append(HeaderField(name: "Content-Type", value: "multipart/alternative; boundary=\"\(boundary)\""))
        // Folding keeps every line short by construction; this makes the
        // limit a rule rather than a consequence (RFC 5322 section 2.1.1).
        for field in headers {
            guard longestLineOctets("\(field.name): \(field.value)") <= maximumLineOctets else {
                throw DeliveryError(.rendering, "the \(field.name) header would have a line over \(maximumLineOctets) octets")
            }
        }
        return EmailMessage(
            envelopeFrom: sender.address,
            recipient: address,
            messageID: messageID,
            subject: subject,
            textBody: templates.text.fill(content.templateValues),
            htmlBody: templates.html.fill(content.templateValues, escape: MIMEText.escapeHTML),
            headerFields: headers,
            boundary: boundary
        )
    }

    /// The whole message as SMTP `DATA` (CRLF line endings).
    public var bytes: [UInt8] {
        var text = ""
        for field in headerFields {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "\r\n"
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            text += "--\(boundary)\r\n"
            text += "Content-Type: \(type); charset=utf-8\r\n"
            text += "Content-Transfer-Encoding: base64\r\n\r\n"
            text += MIMEText.base64Lines(MIMEText.crlfBytes(Array(body.utf8)))
        }
        text += "--\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// The longest line of a message, CRLF not counted (RFC 5322).
    public static let maximumLineOctets = 998

    /// The octets of the longest line of `text` cut at each CRLF (a lone CR or
    /// LF is part of its line), CRLF not counted.
    public static func longestLineOctets(_ text: String) -> Int {
        var longest = 0
        var current = 0
        var afterCR = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n"), afterCR {
                // The CR was counted with the line; it is part of the break.
                longest = max(longest, current - 1)
                current = 0
                afterCR = false
                continue
            }
            current += 1
            afterCR = byte == UInt8(ascii: "\r")
        }
        return max(longest, current)
    }
    /// The longest local part of a Message-ID we write; a longer one (from a
    /// long delivery id) is replaced by a hash of the delivery id, so the
    /// unfoldable `Message-ID:` line stays far below 998 octets.
    static let maximumMessageIDLocalOctets = 200

    /// `<local>@<host>` for a delivery: the delivery id made a dot-atom
    /// (`:` becomes `.`, anything but letters, digits and `-` becomes `=XX`),
    /// at the host of the sender's address. A delivery id too long for that
    /// gives `reminder.h<hash>` instead (stable as well).
    public static func messageID(deliveryID: String, fromAddress: String) -> String {
        var local = ""
        for byte in deliveryID.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                local.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: ":"):
                local.append(".")
            default:
                local += "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        while local.contains("..") { local = local.replacingOccurrences(of: "..", with: ".-.") }
        if local.hasPrefix(".") { local = "-" + local }
        if local.hasSuffix(".") { local += "-" }
        if local.isEmpty { local = "-" }
        if local.utf8.count > maximumMessageIDLocalOctets {
            local = "h" + stableHex(deliveryID) + stableHex(String(deliveryID.reversed()))
        }
        var host = fromAddress.split(separator: "@").last.map(String.init)?.lowercased() ?? ""
        if host.isEmpty || !fromAddress.contains("@") || host.utf8.count > 255 { host = "localhost" }
        return "reminder.\(local)@\(host)"
    }

    /// An address fit for an SMTP envelope and a header: one `@`, no spaces,
    /// no control characters, no angle brackets, at most 254 octets (the
    /// longest path RFC 5321 allows, less its brackets).
    public static func isUsableAddress(_ address: String) -> Bool {
        guard address.utf8.count <= 254 else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return address.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && !"<>()[],;\\\"".unicodeScalars.contains(scalar)
        }
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// 64-bit FNV-1a in hex: a boundary that is stable for a delivery, so the
    /// same delivery renders to the same bytes.
    private static func stableHex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
