import Foundation

/// A small reader for the messages the tests render: headers (unfolded),
/// RFC 2047 words, and base64 MIME parts.
enum MIMEReader {
    static func split(_ raw: String) -> (headers: [(String, String)], body: String) {
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let headerBlock = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        let headers = headerBlock.components(separatedBy: "\r\n").map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return (headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func header(_ name: String, in raw: String) -> String? {
        split(raw).headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Decodes `=?UTF-8?B?…?=` words (whitespace between words dropped).
    static func decodeWords(_ value: String) -> String {
        var output = ""
        var pendingSpace = ""
        var lastWasWord = false
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if token.hasPrefix("=?UTF-8?B?"), token.hasSuffix("?=") {
                let b64 = token.dropFirst(10).dropLast(2)
                let text = String(decoding: Data(base64Encoded: String(b64)) ?? Data(), as: UTF8.self)
                output += (lastWasWord ? "" : pendingSpace) + text
                lastWasWord = true
            } else {
                output += pendingSpace + token
                lastWasWord = false
            }
            pendingSpace = " "
        }
        return output
    }

    /// The MIME parts of a multipart body: their headers and decoded text.
    static func parts(of raw: String, boundary: String) -> [(contentType: String, encoding: String, text: String)] {
        let body = split(raw).body
        return body.components(separatedBy: "--\(boundary)").dropFirst().compactMap { chunk in
            guard !chunk.hasPrefix("--") else { return nil }
            let part = String(chunk.drop { $0 == "\r\n" })
            let (headers, content) = split(part)
            let type = headers.first { $0.0.lowercased() == "content-type" }?.1 ?? ""
            let encoding = headers.first { $0.0.lowercased() == "content-transfer-encoding" }?.1 ?? ""
            let data = Data(base64Encoded: content.replacingOccurrences(of: "\r\n", with: "")) ?? Data()
            return (type, encoding, String(decoding: data, as: UTF8.self))
        }
    }
}
