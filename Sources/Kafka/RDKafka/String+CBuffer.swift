extension String {
    /// Decodes the NUL-terminated text librdkafka wrote into an error buffer.
    init(errorBuffer buffer: [CChar]) {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        self = String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
