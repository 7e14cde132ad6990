/// Builds the payload of `COPY … FROM STDIN` in text format: tab-separated fields, one line per row,
/// `\N` for NULL, and backslash escapes so that data can never be mistaken for a separator.
enum CopyTextEncoder {
    static func encode(rows: [[String?]], columnCount: Int) throws -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(rows.count * columnCount * 16)
        for row in rows {
            guard row.count == columnCount else {
                throw PostgresError.encoding("a COPY row has \(row.count) fields but \(columnCount) columns were named")
            }
            for (index, field) in row.enumerated() {
                if index > 0 { payload.append(UInt8(ascii: "\t")) }
                guard let field else {
                    payload.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                    continue
                }
                for byte in field.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): payload.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                    case UInt8(ascii: "\t"): payload.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                    case UInt8(ascii: "\n"): payload.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                    case UInt8(ascii: "\r"): payload.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                    case 0: throw PostgresError.encoding("a COPY field contains a NUL character")
                    default: payload.append(byte)
                    }
                }
            }
            payload.append(UInt8(ascii: "\n"))
        }
        return payload
    }
}
