import ReminderContracts

/// A JSON document being written: members keep their order and integers stay integers.
/// `JSONEncoder` promises neither, and `JSONValue` writes its keys sorted, which would change
/// the API's documented member order.
indirect enum JSONOutput: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])
    /// JSON text taken as it is (e.g. a `jsonb` column, which PostgreSQL already wrote as JSON).
    case raw(String)

    /// The compact JSON text.
    var text: String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += "null".utf8
        case .bool(let value): output += (value ? "true" : "false").utf8
        case .int(let value): JSONText.appendInteger(Int64(value), to: &output)
        case .string(let value): JSONText.appendString(value, to: &output)
        case .raw(let value): output += value.utf8
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            // In the order given: the API documents its members' order.
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONOutput {
    /// `nil` becomes `null`.
    static func optional<T>(_ value: T?, _ transform: (T) -> JSONOutput) -> JSONOutput {
        value.map(transform) ?? .null
    }
}
