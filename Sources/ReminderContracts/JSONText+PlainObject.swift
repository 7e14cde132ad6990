extension JSONText {
    /// `text` as an object of string values, when it is one in the plain form
    /// PostgreSQL writes `jsonb` in: values all strings, no escapes in keys or
    /// values, no key twice. `nil` for anything else, which the caller reads
    /// the general way (and gets its precise error from).
    ///
    /// The outbox relay reads one per row it publishes; `JSONDecoder` for a
    /// two-key object was the largest part of reading a row.
    public static func plainStringObject(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var index = 0
            func skipWhitespace() {
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                    index += 1
                }
            }
            func expect(_ character: UInt8) -> Bool {
                guard index < bytes.count, bytes[index] == character else { return false }
                index += 1
                skipWhitespace()
                return true
            }
            func plainString() -> String? {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
                let start = index + 1
                var end = start
                while end < bytes.count {
                    let byte = bytes[end]
                    if byte == UInt8(ascii: "\"") { break }
                    // An escape, or a control character JSON forbids raw: the general reader decides.
                    if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                index = end + 1
                skipWhitespace()
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }

            skipWhitespace()
            guard expect(UInt8(ascii: "{")) else { return nil }
            var object: [String: String] = [:]
            if expect(UInt8(ascii: "}")) { return index == bytes.count ? object : nil }
            while true {
                guard let key = plainString(), expect(UInt8(ascii: ":")), let value = plainString(),
                      object.updateValue(value, forKey: key) == nil else { return nil }
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                return index == bytes.count ? object : nil
            }
        }
    }
}
