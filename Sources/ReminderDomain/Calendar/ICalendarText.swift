/// RFC 5545 text rules: escaping of TEXT values and folding of content lines.
public enum ICalendarText {
    /// The longest a content line may be, in octets, without its line break.
    public static let maximumLineOctets = 75

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line
    /// break (CRLF, CR or LF) written as `\n`, and other control characters (which the format
    /// does not allow in TEXT) dropped, so user text cannot start a property of its own.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r": result += "\\n"
            case "\n": if !previousWasCR { result += "\\n" }
            case "\t": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A parameter value: quoted when it holds `:`, `;` or `,`; double quotes and control
    /// characters (not allowed in a parameter value) dropped.
    public static func parameterValue(_ value: String) -> String {
        let clean = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F }))
        return clean.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) ? "\"\(clean)\"" : clean
    }

    /// One content line folded (RFC 5545 §3.1): no physical line longer than 75 octets, a
    /// continuation starting with one space, never splitting a UTF-8 sequence. Lines end in CRLF.
    public static func fold(_ line: String) -> String {
        var result = ""
        var octets = 0
        var limit = maximumLineOctets
        for scalar in line.unicodeScalars {
            let width = UTF8.width(scalar)
            if octets + width > limit {
                result += "\r\n "
                octets = 0
                // The leading space counts towards the continuation's 75 octets.
                limit = maximumLineOctets - 1
            }
            result.unicodeScalars.append(scalar)
            octets += width
        }
        return result + "\r\n"
    }
}
