/// The one place JSON text is written: strings escaped and numbers spelled
/// the same way in every message, API answer and event-stream frame. The
/// document models (``JSONValue``, with sorted keys, and the gateway's
/// ordered answers) walk their values and write through these.
public enum JSONText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string: quotes, backslashes and control
    /// characters escaped, and U+2028 and U+2029 too (a JavaScript parser
    /// older than ES2019 reads them as line ends); everything else as UTF-8.
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
                case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
                case 0x00..<0x20:
                    appendEscape(UInt16(byte), to: &output)
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    appendEscape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                    index += 2
                default:
                    output.append(byte)
                }
                index += 1
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a whole number.
    public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        output += String(value).utf8
    }

    /// Appends a number: whole ones below 2^53 without a fraction, others as
    /// Swift spells a `Double` (shortest text that reads back the same).
    /// - Throws: ``JSONTextError`` for NaN and the infinities, which JSON cannot hold.
    public static func appendNumber(_ value: Double, to output: inout [UInt8]) throws {
        guard value.isFinite else { throw JSONTextError(description: "\(value) is not a JSON number") }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            appendInteger(Int64(value), to: &output)
        } else {
            output += "\(value)".utf8
        }
    }

    private static func appendEscape(_ unit: UInt16, to output: inout [UInt8]) {
        output += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((unit >> UInt16(shift)) & 0x0F)])
        }
    }
}
