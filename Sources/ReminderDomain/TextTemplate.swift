import Foundation

/// A template with `{{name}}` placeholders, filled from a dictionary.
/// Unknown names are left as they are, so a typo shows in the output
/// instead of vanishing.
public struct TextTemplate: Sendable, Equatable {
    /// The template text.
    public let text: String
    /// The text cut at its placeholders once, so that filling it (for every
    /// message sent) is a concatenation: no scan, no name decoding or trimming.
    private let parts: [Part]

    private enum Part: Sendable, Equatable {
        case literal([UInt8])
        /// `{{ name }}`: the trimmed name, and the placeholder's own bytes for an unknown name.
        case placeholder(name: String, source: [UInt8])
    }

    /// Wraps `text`.
    public init(_ text: String) {
        self.text = text
        self.parts = Self.parts(of: Array(text.utf8))
    }

    /// The text with each `{{name}}` replaced by `escape(values[name])`.
    public func fill(_ values: [String: String], escape: (String) -> String = { $0 }) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 256)
        for part in parts {
            switch part {
            case .literal(let bytes):
                output += bytes
            case .placeholder(let name, let source):
                if let value = values[name] {
                    output += escape(value).utf8
                } else {
                    output += source
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// One pass over the UTF-8 bytes (the braces are ASCII, so a match never
    /// splits a character): literal runs and `{{…}}` placeholders, in order.
    private static func parts(of bytes: [UInt8]) -> [Part] {
        var parts: [Part] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
                  let close = closing(in: bytes, from: index + 2) else {
                literal.append(bytes[index])
                index += 1
                continue
            }
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = []
            }
            let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            parts.append(.placeholder(name: name, source: Array(bytes[index..<(close + 2)])))
            index = close + 2
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
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
