import Foundation

/// A record received by a ``KafkaConsumer``, copied out of librdkafka.
public struct KafkaConsumerMessage: Sendable {
    /// The topic the record came from.
    public var topic: String
    /// The partition the record came from.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64
    /// The record key, if it has one.
    public var key: [UInt8]?
    /// The record value; a null value reads as empty.
    public var value: [UInt8]
    /// The record headers, in the order they were written.
    public var headers: [KafkaHeader]
    /// The record's timestamp, when the broker supplied one.
    public var timestamp: Date?
    /// The partition's high watermark as last fetched, when librdkafka knew it.
    public var highWatermark: Int64?

    /// Records after this one in its partition, as far as the consumer knows
    /// (from the cached high watermark; some brokers report it inexactly).
    public var lag: Int64? { highWatermark.map { max(0, $0 - offset - 1) } }

    /// Creates a message; the consumer creates these, the initialiser is public for test doubles.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The UTF-8 value of the last header named `key` (Kafka allows repeats; the last one wins),
    /// or `nil` when there is no such header or its value is null.
    public func header(_ key: String) -> String? {
        guard let header = headers.last(where: { $0.key == key }), let value = header.value else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// The value decoded as UTF-8 (invalid bytes become U+FFFD).
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// The key decoded as UTF-8, if there is a key.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}
