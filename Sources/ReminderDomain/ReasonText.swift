/// Why something failed, made fit to be stored and listed: PostgreSQL refuses
/// NUL in text, operators read reasons one per line (tab-separated), and a
/// reason may quote whatever input caused it, of any length.
public enum ReasonText {
    /// The longest reason kept, in UTF-8 bytes.
    public static let maximumBytes = 1000

    /// `text` with tabs and line breaks made spaces, NUL and every other
    /// control character made U+FFFD, and cut at a Unicode scalar boundary
    /// to at most `maxBytes` UTF-8 bytes, ending with "…" when cut.
    public static func sanitised(_ text: String, maxBytes: Int = maximumBytes) -> String {
        var scalars = String.UnicodeScalarView()
        var bytes = 0
        let ellipsis: Unicode.Scalar = "\u{2026}"
        let limit = max(maxBytes, ellipsis.utf8.count)
        for scalar in text.unicodeScalars {
            let kept: Unicode.Scalar =
                switch scalar.value {
                case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: " "
                case 0x00..<0x20, 0x7F..<0xA0: "\u{FFFD}"
                default: scalar
                }
            if bytes + kept.utf8.count > limit {
                while bytes + ellipsis.utf8.count > limit, let last = scalars.popLast() {
                    bytes -= last.utf8.count
                }
                scalars.append(ellipsis)
                return String(scalars)
            }
            scalars.append(kept)
            bytes += kept.utf8.count
        }
        return String(scalars)
    }
}
