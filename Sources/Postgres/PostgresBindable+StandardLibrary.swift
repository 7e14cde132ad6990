import Foundation
import Timestamps

extension String: PostgresBindable {
    /// The string itself.
    public var postgresText: String? { self }
}

extension Int: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    /// `t` or `f`, as PostgreSQL writes booleans.
    public var postgresText: String? { self ? "t" : "f" }
}

extension Double: PostgresBindable {
    /// The shortest text that reads back as the same value; infinities and NaN spelled as PostgreSQL spells them.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
}

extension UUID: PostgresBindable {
    /// The canonical hyphenated form.
    public var postgresText: String? { uuidString }
}

extension Date: PostgresBindable {
    /// ISO 8601 in UTC with microseconds, e.g. `2026-03-29T01:30:00.123456Z` (timestamptz precision).
    public var postgresText: String? { Timestamp.format(self) }
}

extension Array: PostgresBindable where Element: PostgresBindable {
    /// A one-dimensional array literal such as `{"a","b \"c\""}`; `nil` elements become `NULL`.
    public var postgresText: String? { PostgresArrayLiteral.format(map(\.postgresText)) }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    /// The wrapped value's text, or SQL `NULL` for `nil`.
    public var postgresText: String? {
        switch self {
        case .some(let value): value.postgresText
        case .none: nil
        }
    }
}
