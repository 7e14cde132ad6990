/// Writes ASCII into a string's uninitialised buffer for the timestamp formatters.
struct DigitWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { bytes in
            for byte in bytes {
                buffer[count] = byte
                count += 1
            }
        }
    }

    /// `value` (not negative) in decimal, zero-padded to at least `width` digits.
    mutating func write(_ value: Int, width: Int) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let total = max(digits, width)
        var remaining = value
        for index in stride(from: count + total - 1, through: count, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        count += total
    }

    /// `YYYY-MM-DD`; a year before 1 gets a minus sign (ISO 8601's expanded form).
    mutating func writeDate(_ date: (year: Int, month: Int, day: Int)) {
        writeYear(date.year)
        write("-")
        write(date.month, width: 2)
        write("-")
        write(date.day, width: 2)
    }

    mutating func writeYear(_ year: Int) {
        if year < 0 { write("-") }
        write(abs(year), width: 4)
    }

    /// `HH:MM:SS` of a second of the day.
    mutating func writeClock(_ secondOfDay: Int) {
        write(secondOfDay / 3600, width: 2)
        write(":")
        write(secondOfDay % 3600 / 60, width: 2)
        write(":")
        write(secondOfDay % 60, width: 2)
    }
}
