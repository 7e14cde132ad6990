/// Writes and reads one-dimensional PostgreSQL array literals (`{…}`) in text format.
enum PostgresArrayLiteral {
    /// Every element is double-quoted so that commas, braces, spaces and the word NULL stay literal.
    /// Written as UTF-8 bytes: the two escaped characters are ASCII, and the
    /// stores pass batches of hundreds of elements per statement.
    static func format(_ elements: [String?]) -> String {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(2 + elements.count * 24)
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            guard let element else {
                literal += "NULL".utf8
                continue
            }
            literal.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }

    /// Returns the elements (`nil` for an unquoted NULL), or `nil` when the text is not a
    /// one-dimensional array literal.
    static func parse(_ text: String) -> [String?]? {
        let bytes = Array(text.utf8)
        var position = 0

        func skipWhitespace() {
            while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
        }

        skipWhitespace()
        // Arrays with a lower bound other than 1 are printed as `[0:2]={…}`.
        if position < bytes.count, bytes[position] == UInt8(ascii: "[") {
            guard let equals = bytes[position...].firstIndex(of: UInt8(ascii: "=")) else { return nil }
            position = equals + 1
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { return nil }
        position += 1
        skipWhitespace()

        var elements: [String?] = []
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            skipWhitespace()
            return position == bytes.count ? elements : nil
        }

        while true {
            skipWhitespace()
            guard position < bytes.count else { return nil }
            var element: [UInt8] = []
            var sawQuoteOrEscape = false
            if bytes[position] == UInt8(ascii: "\"") {
                sawQuoteOrEscape = true
                position += 1
                while true {
                    guard position < bytes.count else { return nil }
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\\") {
                        guard position + 1 < bytes.count else { return nil }
                        element.append(bytes[position + 1])
                        position += 2
                    } else if byte == UInt8(ascii: "\"") {
                        position += 1
                        break
                    } else {
                        element.append(byte)
                        position += 1
                    }
                }
            } else {
                if bytes[position] == UInt8(ascii: "{") { return nil }  // nested: multi-dimensional
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") { break }
                    if byte == UInt8(ascii: "\\") {
                        guard position + 1 < bytes.count else { return nil }
                        sawQuoteOrEscape = true
                        element.append(bytes[position + 1])
                        position += 2
                    } else {
                        element.append(byte)
                        position += 1
                    }
                }
                while let last = element.last, isWhitespace(last) { element.removeLast() }
            }
            let value = String(decoding: element, as: UTF8.self)
            if !sawQuoteOrEscape, value.uppercased() == "NULL" {
                elements.append(nil)
            } else {
                elements.append(value)
            }

            skipWhitespace()
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { return nil }
            position += 1
            skipWhitespace()
            return position == bytes.count ? elements : nil
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
