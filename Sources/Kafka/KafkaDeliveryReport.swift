/// Where the broker stored an acknowledged record.
public struct KafkaDeliveryReport: Sendable {
    /// The topic the record was written to.
    public var topic: String
    /// The partition the record was written to.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64

    /// Creates a report; the producer creates these, the initialiser is public for test doubles.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
