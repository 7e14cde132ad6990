/// An iCalendar object being written: content lines in order, folded and joined with CRLF.
public struct ICalendarDocument: Sendable {
    private var lines: [String] = []

    /// An empty document.
    public init() {}

    /// `BEGIN:<name>`.
    public mutating func begin(_ component: String) {
        lines.append("BEGIN:\(component)")
    }

    /// `END:<name>`.
    public mutating func end(_ component: String) {
        lines.append("END:\(component)")
    }

    /// A property whose value is written as given (dates, numbers, rules: no user text).
    public mutating func raw(_ name: String, _ value: String, parameters: [(String, String)] = []) {
        let parameterText = parameters.map { ";\($0.0)=\(ICalendarText.parameterValue($0.1))" }.joined()
        lines.append("\(name)\(parameterText):\(value)")
    }

    /// A TEXT property: the value is escaped.
    public mutating func text(_ name: String, _ value: String) {
        raw(name, ICalendarText.escape(value))
    }

    /// The document: every line folded, each ending in CRLF.
    public var text: String {
        lines.map(ICalendarText.fold).joined()
    }
}
