import Foundation
import Timestamps

/// Encodings of RFC 2045 and RFC 2047 that e-mail headers and bodies need.
public enum MIMEText {
    /// Whether `text` may stand in a header as it is: printable US-ASCII only,
    /// and nothing that looks like an encoded word.
    public static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// UTF-8 bytes per encoded word: 39 bytes become 52 base64 characters,
    /// 64 with the `=?UTF-8?B?` `?=` frame (RFC 2047 allows 75), so even
    /// `Subject: ` and the first word fit in the recommended 78 characters.
    static let encodedWordBytes = 39
    /// The longest line we fold plain header text into, folding whitespace
    /// included (RFC 5322 recommends 78 with the field name, and allows 998).
    static let foldedLineLength = 76

    /// `text` for a header field body, folded with CRLF + space so that no
    /// line comes near RFC 5322's 998 octets: printable ASCII stays as it is
    /// (folded at its spaces); anything else, or ASCII with a run of more
    /// than 76 characters between spaces, becomes RFC 2047 encoded words
    /// (``encodedWordList(_:)``), one per line.
    public static func encodedWords(_ text: String) -> String {
        if isPlainHeaderText(text) {
            let words = text.split(separator: " ", omittingEmptySubsequences: false)
            if words.allSatisfy({ $0.utf8.count <= foldedLineLength - 1 }) { return fold(words) }
        }
        return encodedWordList(text).joined(separator: "\r\n ")
    }

    /// `text` as `=?UTF-8?B?…?=` words of at most 64 characters each. Text is
    /// split between Unicode scalars, never inside one's UTF-8 sequence
    /// (RFC 2047 section 5: each word must decode on its own), and not by
    /// grapheme, which can be any number of bytes long (an emoji sequence, a
    /// letter with many combining marks). Empty text gives no words.
    public static func encodedWordList(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        chunk.reserveCapacity(encodedWordBytes)
        for scalar in text.unicodeScalars {
            let length = scalar.utf8.count
            if chunk.count + length > encodedWordBytes {
                words.append(encodedWord(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: scalar.utf8)
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Words joined by their spaces, a space made CRLF + space (a fold)
    /// wherever the line would grow past ``foldedLineLength``.
    private static func fold(_ words: [Substring]) -> String {
        var folded = ""
        var lineLength = 0
        for (index, word) in words.enumerated() {
            if index > 0 {
                if lineLength + 1 + word.utf8.count > foldedLineLength {
                    folded += "\r\n "
                    lineLength = 1
                } else {
                    folded += " "
                    lineLength += 1
                }
            }
            folded += word
            lineLength += word.utf8.count
        }
        return folded
    }

    /// A mailbox for `From:`/`To:`: `"Name" <address>`, the name quoted when
    /// it is ASCII and short, encoded (RFC 2047) otherwise; just `<address>`
    /// without a name. Lines are folded as in ``encodedWords(_:)``.
    public static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        if isPlainHeaderText(name) {
            let quoted = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            if quoted.utf8.count <= foldedLineLength - 8 { return "\(quoted) <\(address)>" }
        }
        // A long ASCII name may hold characters a bare phrase must not
        // (`,`, `@`, …): encoded words carry anything.
        let words = encodedWordList(name)
        let lastLine = words.last?.utf8.count ?? 0
        let separator = lastLine + 3 + address.utf8.count <= foldedLineLength ? " " : "\r\n "
        return words.joined(separator: "\r\n ") + separator + "<\(address)>"
    }

    /// `bytes` in base64, in lines of 76 characters ended by CRLF (RFC 2045).
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        // Straight to bytes: Foundation's encoder and cutting its string by
        // String indices showed in the e-mail worker's profile, per message sent.
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4 / 76 * 78 + 80)
        var lineLength = 0
        func emit(_ character: UInt8) {
            output.append(character)
            lineLength += 1
            if lineLength == 76 {
                output += [0x0D, 0x0A]
                lineLength = 0
            }
        }
        func emit(sextet: UInt32) { emit(base64Alphabet[Int(sextet & 0x3F)]) }
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            emit(sextet: group >> 18); emit(sextet: group >> 12); emit(sextet: group >> 6); emit(sextet: group)
            index += 3
        }
        let left = bytes.count - index
        if left > 0 {
            let group = UInt32(bytes[index]) << 16 | (left == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            emit(sextet: group >> 18); emit(sextet: group >> 12)
            if left == 2 { emit(sextet: group >> 6) }
            for _ in left..<3 { emit(UInt8(ascii: "=")) }
        }
        if lineLength > 0 { output += [0x0D, 0x0A] }
        return String(decoding: output, as: UTF8.self)
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The RFC 5322 date of `date` in UTC: `Sun, 29 Nov 2026 11:49:17 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        Timestamp.rfc5322(date)
    }

    /// `text` safe inside HTML text and attribute values.
    public static func escapeHTML(_ text: String) -> String {
        // By byte, not by character: the five are ASCII, and a combining mark
        // after one (`<` + U+0338) makes a character that is none of them, yet
        // the byte is still markup.
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped += "&amp;".utf8
            case UInt8(ascii: "<"): escaped += "&lt;".utf8
            case UInt8(ascii: ">"): escaped += "&gt;".utf8
            case UInt8(ascii: "\""): escaped += "&quot;".utf8
            case UInt8(ascii: "'"): escaped += "&#39;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
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
