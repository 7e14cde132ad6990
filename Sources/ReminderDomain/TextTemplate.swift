import Foundation

/// A template with `{{name}}` placeholders, filled from a dictionary.
/// Unknown names are left as they are, so a typo shows in the output
/// instead of vanishing.
public struct TextTemplate: Sendable, Equatable {
    /// The template text.
    public var text: String

    /// Wraps `text`.
    public init(_ text: String) {
        self.text = text
    }

    /// The text with each `{{name}}` replaced by `escape(values[name])`.
    /// One pass over the UTF-8 bytes (the braces are ASCII, so a match never
    /// splits a character).
    public func fill(_ values: [String: String], escape: (String) -> String = { $0 }) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 256)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
                  let close = Self.closing(in: bytes, from: index + 2) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if let value = values[name] {
                output += escape(value).utf8
            } else {
                output += bytes[index..<(close + 2)]
            }
            index = close + 2
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The index of the next `}}` at or after `start`.
    private static func closing(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "}"), bytes[index + 1] == UInt8(ascii: "}") { return index }
            index += 1
        }
        return nil
    }
}
