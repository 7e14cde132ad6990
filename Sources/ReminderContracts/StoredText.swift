/// Text from outside made fit to be stored and listed: PostgreSQL refuses NUL
/// in text and jsonb, operators read reasons one per line (tab-separated), a
/// reason may quote whatever input caused it, of any length, and a message
/// that could not be read may not even be UTF-8.
public enum StoredText {
    /// The longest reason kept, in UTF-8 bytes.
    public static let maximumReasonBytes = 1000

    /// Why something failed, as stored and listed: tabs and line breaks made
    /// spaces, NUL and every other control character made U+FFFD, cut at a
    /// Unicode scalar boundary to at most `maxBytes` UTF-8 bytes (ending with
    /// "…" when cut).
    public static func reason(_ text: String, maxBytes: Int = maximumReasonBytes) -> String {
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

    /// `bytes` as text a person can read and PostgreSQL can store: each
    /// invalid UTF-8 sequence and each NUL becomes U+FFFD, nothing else
    /// changes. Lossy: keep the bytes themselves where they matter.
    public static func readable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return readable(text)
    }

    /// `text` with each NUL made U+FFFD.
    public static func readable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
    }
}
