import Foundation

/// Encodings of RFC 2045 and RFC 2047 that e-mail headers and bodies need.
public enum MIMEText {
    /// Whether `text` may stand in a header as it is: printable US-ASCII only,
    /// and nothing that looks like an encoded word.
    public static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// `text` as RFC 2047 encoded words (`=?UTF-8?B?…?=`), each at most 64
    /// characters and never splitting a character, joined by folding
    /// whitespace; plain ASCII text is returned as it is.
    public static func encodedWords(_ text: String) -> String {
        guard !isPlainHeaderText(text) else { return text }
        // 39 bytes become 52 base64 characters, 64 with the `=?UTF-8?B?` `?=`
        // frame: short enough that even `Subject: ` and the first word fit in
        // the recommended 78 characters per line.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk.removeAll()
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// A mailbox for `From:`/`To:`: `"Name" <address>`, the name quoted when
    /// ASCII and encoded (RFC 2047) otherwise; just `<address>` without a name.
    public static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        if isPlainHeaderText(name) {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return encodedWords(name) + " <\(address)>"
    }

    /// `bytes` in base64, in lines of 76 characters ended by CRLF (RFC 2045).
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// The RFC 5322 date of `date` in UTC: `Sun, 29 Nov 2026 11:49:17 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        Timestamp.rfc5322(date)
    }

    /// `text` safe inside HTML text and attribute values.
    public static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Line endings (CRLF, LF or a lone CR) normalised to CRLF, as SMTP wants
    /// them. One pass over the bytes: Foundation's string replacing was the
    /// e-mail worker's largest cost.
    public static func crlf(_ text: String) -> String {
        String(decoding: crlfBytes(Array(text.utf8)), as: UTF8.self)
    }

    /// ``crlf(_:)`` on UTF-8 bytes.
    public static func crlfBytes(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 32 + 2)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                output += [0x0D, 0x0A]
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else if byte == 0x0A {
                output += [0x0D, 0x0A]
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
