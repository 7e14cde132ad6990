import Foundation

/// Any JSON value, for documents we keep verbatim (schemas, event payloads).
///
/// Numbers: a whole number that fits in 64 bits reads as ``integer(_:)``, exactly, so ids
/// above 2^53 survive; any other number (`1.5`, `1e300`) reads as ``number(_:)``. JSON does
/// not tell `1` from `1.0`, and neither does this type: both read as `.integer(1)`, and
/// `.integer(1) == .number(1.0)` (numbers compare by value). Written out, an integer has no
/// fraction; so has a whole `.number` below 2^53 (`.number(1.0)` writes `1`), while `1.5`
/// stays `1.5`.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    /// A whole number within `Int64`: ids, counts, attempts.
    case integer(Int64)
    /// Any other number (or one built as a `Double`).
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes whichever JSON value is present.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Values are equal when they are the same JSON: numbers compare by value, so an integer
    /// equals a `Double` holding exactly that whole number.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Int64(exactly: b) == a
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    /// The number as an `Int64` when it is a whole number that fits (`.integer`, or a whole
    /// `.number`); `nil` for anything else.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// The number as a `Double` (an integer above 2^53 rounded to the nearest); `nil` when
    /// the value is not a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The text of a string value; `nil` for anything else.
    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The texts of an array's string elements (others left out); `nil` when
    /// the value is not an array.
    public var stringElements: [String]? {
        if case .array(let values) = self { values.compactMap(\.stringValue) } else { nil }
    }

    /// Reads JSON text; `nil` when it is not JSON.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }
}
