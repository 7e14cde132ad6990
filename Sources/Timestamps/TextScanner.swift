/// Reads ASCII text byte by byte for the timestamp parsers.
struct TextScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position == bytes.count }

    var next: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Consumes `character` if it comes next.
    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard next == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    /// Consumes one decimal digit.
    mutating func digit() -> Int? {
        guard let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        position += 1
        return Int(byte - UInt8(ascii: "0"))
    }

    /// Consumes exactly `count` digits, or nothing.
    mutating func number(digits count: Int) -> Int? {
        let start = position
        var value = 0
        for _ in 0..<count {
            guard let digit = digit() else {
                position = start
                return nil
            }
            value = value * 10 + digit
        }
        return value
    }

    /// Consumes `minimum` to `maximum` digits.
    mutating func number(digits minimum: Int, upTo maximum: Int) -> Int? {
        let start = position
        var value = 0
        while position - start < maximum, let digit = digit() { value = value * 10 + digit }
        guard position - start >= minimum else {
            position = start
            return nil
        }
        return value
    }

    /// A decimal fraction's digits (after the point) as nanoseconds: at least one digit, at most
    /// `maximumDigits` (`nil`: any number, those past nanoseconds read and dropped).
    mutating func nanoseconds(maximumDigits: Int?) -> Int? {
        var nanos = 0
        var count = 0
        while maximumDigits.map({ count < $0 }) ?? true, let digit = digit() {
            if count < 9 { nanos = nanos * 10 + digit }
            count += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 9) { nanos *= 10 }
        return nanos
    }

    /// Consumes `word` compared without regard to ASCII case.
    mutating func take(word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] | 0x20 == expected[$0] | 0x20 }
        }
        if matches { position += count }
        return matches
    }

    /// Consumes the first of `words` that comes next (ASCII case ignored) and returns its index.
    mutating func take(oneOf words: [StaticString]) -> Int? {
        for (index, word) in words.enumerated() where take(word: word) { return index }
        return nil
    }
}
