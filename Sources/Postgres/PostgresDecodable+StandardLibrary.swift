import Foundation
import Timestamps

extension String: PostgresDecodable {
    /// The text itself.
    public init(postgresText: String) throws {
        self = postgresText
    }
}

extension Int: PostgresDecodable {
    /// Parses decimal digits.
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw PostgresError.decoding("text is not an integer") }
        self = value
    }
}

extension Int32: PostgresDecodable {
    /// Parses decimal digits that fit into 32 bits.
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw PostgresError.decoding("text is not a 32-bit integer") }
        self = value
    }
}

extension Int64: PostgresDecodable {
    /// Parses decimal digits.
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw PostgresError.decoding("text is not a 64-bit integer") }
        self = value
    }
}

extension Bool: PostgresDecodable {
    /// Parses `t`/`f` (and the spelled-out forms).
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresError.decoding("text is not a boolean")
        }
    }
}

extension Double: PostgresDecodable {
    /// Parses a floating-point number, including `NaN` and `±Infinity`.
    public init(postgresText: String) throws {
        guard let value = Double(postgresText) else { throw PostgresError.decoding("text is not a number") }
        self = value
    }
}

extension UUID: PostgresDecodable {
    /// Parses the hyphenated form PostgreSQL prints.
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw PostgresError.decoding("text is not a UUID") }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Parses timestamptz output such as `2026-03-29 01:30:00.123456+00` (the session runs in UTC).
    public init(postgresText: String) throws {
        guard let value = Timestamp.parse(postgresText) else {
            throw PostgresError.decoding("text is not a timestamp with time zone")
        }
        self = value
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Parses a one-dimensional array literal such as `{1,2}` or `{"a b","c\"d"}`; `NULL` elements are rejected.
    public init(postgresText: String) throws {
        guard let elements = PostgresArrayLiteral.parse(postgresText) else {
            throw PostgresError.decoding("text is not a one-dimensional array")
        }
        self = try elements.map { element in
            guard let element else { throw PostgresError.decoding("array contains NULL") }
            return try Element(postgresText: element)
        }
    }
}
