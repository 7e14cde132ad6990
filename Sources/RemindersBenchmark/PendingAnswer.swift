import Foundation
import ReminderContracts

/// A `pending/me` answer, each entry's fields as canonical JSON text, so that two servers'
/// answers compare field by field whatever their spacing, escaping and key order.
struct PendingAnswer: Sendable {
    let entries: [[String: String]]

    var count: Int { entries.count }

    /// Reads a JSON array of objects; anything else is an error quoting the start of `body`.
    init(json body: [UInt8]) throws {
        guard let array = try? JSONDecoder().decode([[String: JSONValue]].self, from: Data(body)) else {
            throw BenchSetupError("not a JSON array of objects: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        entries = try array.map { entry in try entry.mapValues { try $0.jsonText() } }
    }

    /// The fields in which the entries differ from `other`'s at the same position, each with
    /// the number of entries that differ in it (a field only one side has counts too).
    func differences(from other: PendingAnswer) -> [String: Int] {
        var fields: [String: Int] = [:]
        for (mine, theirs) in zip(entries, other.entries) {
            for key in Set(mine.keys).union(theirs.keys) where mine[key] != theirs[key] {
                fields[key, default: 0] += 1
            }
        }
        return fields
    }
}
