import Foundation
import Hummingbird
import ReminderContracts
import ReminderDomain

/// The members of a JSON object request body, read field by field so that each error names
/// the member at fault and a member that is present but `null` differs from one that is absent.
struct RequestJSON: Sendable {
    private(set) var members: [String: JSONValue]

    init(members: [String: JSONValue]) {
        self.members = members
    }

    /// Reads the body as a JSON object; an empty body is an empty object when `allowEmpty`.
    static func read(_ request: Request, context: GatewayRequestContext, allowEmpty: Bool = false) async throws -> RequestJSON {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw GatewayError(status: .contentTooLarge, code: "body-too-large", message: "the body is larger than \(context.maxUploadSize) bytes", field: "body")
        }
        let bytes = Data(buffer: buffer)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if allowEmpty { return RequestJSON(members: [:]) }
            throw GatewayError.malformed("a JSON object body is required")
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: bytes) else {
            throw GatewayError.malformed("the body is not valid JSON")
        }
        guard case .object(let members) = value else { throw GatewayError.malformed("the body must be a JSON object") }
        return RequestJSON(members: members)
    }

    /// Refuses members outside `allowed`, so a misspelt field is not silently ignored.
    func rejectUnknown(allowed: Set<String>) throws(GatewayError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid(unknown, "unknown field")
        }
    }

    func has(_ key: String) -> Bool { members[key] != nil }

    func isNull(_ key: String) -> Bool { members[key] == .null }

    /// A string, trimmed of surrounding white space when `trim`; `nil` when absent or null.
    func string(_ key: String, maxLength: Int, trim: Bool = true, allowEmpty: Bool = false) throws(GatewayError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard case .string(let raw) = value else { throw .invalid(key, "must be a string") }
        let text = trim ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
        try Self.checkText(text, field: key, maxLength: maxLength)
        if !allowEmpty, text.isEmpty { throw .invalid(key, "must not be empty") }
        return text
    }

    func bool(_ key: String) throws(GatewayError) -> Bool? {
        guard let value = members[key], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw .invalid(key, "must be true or false") }
        return flag
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let value = members[key], value != .null else { return nil }
        return try Self.integer(value, field: key, range: range)
    }

    /// A value of `E` by its raw name.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) throws(GatewayError) -> E? where E.RawValue == String {
        guard let value = members[key], value != .null else { return nil }
        guard case .string(let text) = value, let choice = E(rawValue: text) else {
            throw .invalid(key, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    func array(_ key: String, maxCount: Int) throws(GatewayError) -> [JSONValue]? {
        guard let value = members[key], value != .null else { return nil }
        guard case .array(let items) = value else { throw .invalid(key, "must be an array") }
        guard items.count <= maxCount else { throw .invalid(key, "at most \(maxCount) entries") }
        return items
    }

    func object(_ key: String) throws(GatewayError) -> [String: JSONValue]? {
        guard let value = members[key], value != .null else { return nil }
        guard case .object(let members) = value else { throw .invalid(key, "must be a JSON object") }
        return members
    }

    static func integer(_ value: JSONValue, field: String, range: ClosedRange<Int>) throws(GatewayError) -> Int {
        // A whole number however it was written (`5` or `5.0`).
        guard let whole = value.int64Value, abs(whole) < 9_000_000_000_000_000 else {
            throw .invalid(field, "must be a whole number")
        }
        let integer = Int(whole)
        guard range.contains(integer) else { throw .invalid(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
        return integer
    }

    /// Text the database can store and people can read: no NUL or other control characters
    /// except line breaks and tabs. The limit counts Unicode scalars (code points), never
    /// graphemes: a "character" can carry any number of combining marks, so a grapheme limit
    /// bounds neither the bytes stored nor the work of rendering them.
    static func checkText(_ text: String, field: String, maxLength: Int) throws(GatewayError) {
        guard text.unicodeScalars.count <= maxLength else { throw .invalid(field, "at most \(maxLength) Unicode code points") }
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t") || $0.value == 0x7F }) {
            throw .invalid(field, "must not contain control characters")
        }
    }
}
