extension MattermostPost {
    /// U+2060 WORD JOINER: invisible, no letter, digit or space, so it ends a
    /// mention or a link where Mattermost looks for one.
    public static let wordJoiner: Unicode.Scalar = "\u{2060}"

    /// User-supplied text (a title, a message, a case title) as it may stand
    /// in a post: Markdown escaped (``escapeMarkdown(_:)``), then made inert.
    /// A title `@all …` must not ping a whole channel, nor a message turn
    /// into a link the sender never meant; the text still reads as typed.
    public static func userText(_ text: String) -> String {
        neutralise(escapeMarkdown(text))
    }

    /// `text` with Mattermost's mentions and auto-links broken by a
    /// ``wordJoiner``: after every `@` (and its full-width and small forms),
    /// so `@all`, `@channel`, `@here`, `@someone` and e-mail addresses notify
    /// no one; after every `~` (channel links); after a scheme's colon that
    /// something follows (`http:⁠//…`, `mailto:⁠…`); and before a dot that
    /// follows a letter or digit and is followed by more than a space
    /// (`www⁠.example⁠.com`), which also breaks bare domains. A sentence's
    /// full stop stays as it is. Only invisible characters are added.
    public static func neutralise(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let previous = index > 0 ? scalars[index - 1] : nil
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == ".", let previous, let next, isWordScalar(previous), !next.properties.isWhitespace {
                output.append(wordJoiner)
            }
            output.append(scalar)
            guard next != wordJoiner else { continue }
            switch scalar {
            case "@", "\u{FF20}", "\u{FE6B}", "~":
                output.append(wordJoiner)
            case ":" where previous.map(isSchemeScalar) == true && next.map { !$0.properties.isWhitespace } == true:
                output.append(wordJoiner)
            default:
                break
            }
        }
        return String(output)
    }

    /// A letter or digit of any script: what a domain label or a URL is made of.
    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// What a URL scheme ends with (RFC 3986: letters, digits, `+`, `-`, `.`).
    private static func isSchemeScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "+-.".unicodeScalars.contains(scalar))
    }
}
