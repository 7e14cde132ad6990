import ReminderContracts
import Testing

/// Reasons are stored in PostgreSQL (no NUL) and listed one per line, tab-separated.
@Suite("Stored text")
struct StoredTextTests {
    @Test("NUL and other control characters become U+FFFD; tabs and line breaks become spaces; the rest stays")
    func controls() {
        #expect(StoredText.reason("a\u{0}b\u{1}c\u{7F}d\u{9B}e") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e")
        #expect(StoredText.reason("line\none\ttab\r\nend\u{2028}") == "line one tab  end ")
        #expect(StoredText.reason("Påmindelse 🔔 e\u{301} 漢字") == "Påmindelse 🔔 e\u{301} 漢字")
    }

    @Test("a long reason is cut at a Unicode scalar boundary to at most the byte limit, ending with an ellipsis")
    func bounded() {
        for unit in ["a", "ø", "漢", "🔔", "e\u{301}\u{302}"] {
            let long = String(repeating: unit, count: 2000)
            let cut = StoredText.reason(long)
            #expect(cut.utf8.count <= StoredText.maximumReasonBytes, "\(unit): \(cut.utf8.count) bytes")
            #expect(cut.utf8.count > StoredText.maximumReasonBytes - 8)
            #expect(cut.hasSuffix("\u{2026}"))
            #expect(long.unicodeScalars.starts(with: cut.unicodeScalars.dropLast()))
        }
        #expect(StoredText.reason("short", maxBytes: 5) == "short")
        #expect(StoredText.reason("longer", maxBytes: 5) == "lo\u{2026}")
    }
}
