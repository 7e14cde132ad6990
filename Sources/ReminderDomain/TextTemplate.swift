import Foundation

/// A template with `{{name}}` placeholders, filled from a dictionary.
/// Unknown names are left as they are, so a typo shows in the output
/// instead of vanishing.
public struct TextTemplate: Sendable, Equatable {
    /// The template text.
    public var text: String

    /// Wraps `text`.
    public init(_ text: String) {
        self.text = text
    }

    /// The text with each `{{name}}` replaced by `escape(values[name])`.
    public func fill(_ values: [String: String], escape: (String) -> String = { $0 }) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let value = values[name] {
                output += escape(value)
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        return output
    }
}
