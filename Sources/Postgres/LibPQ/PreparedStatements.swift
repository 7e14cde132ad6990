/// The statements one session has prepared, by SQL text. Bounded, so SQL
/// built at run time cannot grow the server's memory without end: past the
/// bound, statements run unprepared.
struct PreparedStatements {
    static let capacity = 512
    private var names: [String: String] = [:]
    private var issued = 0

    func name(of sql: String) -> String? {
        names[sql]
    }

    /// A fresh name, or nil when the cache is full.
    mutating func reserveName() -> String? {
        guard names.count < Self.capacity else { return nil }
        issued += 1
        return "s\(issued)"
    }

    mutating func remember(_ sql: String, as name: String) {
        names[sql] = name
    }

    mutating func forget(_ sql: String) {
        names[sql] = nil
    }
}
