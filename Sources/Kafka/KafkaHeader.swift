/// One Kafka record header: a key and an optional (possibly null) byte value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header's name.
    public var key: String
    /// The header's bytes; `nil` is a null header value, distinct from an empty one.
    public var value: [UInt8]?

    /// Creates a header from raw bytes.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(key: String, string: String) {
        self.init(key: key, value: Array(string.utf8))
    }
}
