import Foundation

extension JSONValue {
    /// The value as compact JSON text, keys sorted, `/` not escaped.
    ///
    /// Written directly rather than through `JSONEncoder`: the stores pass
    /// every batch to PostgreSQL as one JSON document, and the generic encoder
    /// was half of the dispatcher's CPU in a profile.
    ///
    /// - Throws: ``JSONTextError`` for a number JSON cannot hold (NaN, ±∞).
    public func jsonText() throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        try write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func write(to output: inout [UInt8]) throws {
        switch self {
        case .null:
            output += "null".utf8
        case .bool(let value):
            output += (value ? "true" : "false").utf8
        case .integer(let value):
            output += String(value).utf8
        case .number(let value):
            guard value.isFinite else { throw JSONTextError(description: "\(value) is not a JSON number") }
            if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
                output += String(Int64(value)).utf8
            } else {
                output += "\(value)".utf8
            }
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                try members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x00..<0x20:
                output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                           hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// A value ``JSONValue/jsonText()`` cannot write.
public struct JSONTextError: Error, CustomStringConvertible {
    /// What could not be written.
    public var description: String
}
