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
            JSONText.appendInteger(value, to: &output)
        case .number(let value):
            try JSONText.appendNumber(value, to: &output)
        case .string(let value):
            JSONText.appendString(value, to: &output)
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
                JSONText.appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                try members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// A value ``JSONValue/jsonText()`` cannot write.
public struct JSONTextError: Error, CustomStringConvertible {
    /// What could not be written.
    public var description: String
}
