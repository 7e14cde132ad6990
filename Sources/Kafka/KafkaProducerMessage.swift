/// A record to be produced.
public struct KafkaProducerMessage: Sendable {
    /// The topic to write to.
    public var topic: String
    /// The record key; records with equal keys land in the same partition, in order.
    public var key: [UInt8]?
    /// The record value.
    public var value: [UInt8]
    /// The record headers.
    public var headers: [KafkaHeader]

    /// Creates a record from raw bytes.
    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Creates a record whose key and value are UTF-8 strings.
    public init(topic: String, key: String?, value: String, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers)
    }
}
