/// Settings of a ``KafkaProducer``.
public struct KafkaProducerConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from (`bootstrap.servers`).
    public var bootstrapServers: String
    /// The client id the broker logs (`client.id`); defaults to `case-reminders`.
    public var clientID: String = "case-reminders"
    /// Whether the producer is idempotent (`enable.idempotence`, which implies `acks=all`), so
    /// retries never duplicate or reorder records; defaults to `true`.
    public var idempotent: Bool = true
    /// How long records wait to be batched (`linger.ms`); defaults to 2 ms.
    public var linger: Duration = .milliseconds(2)
    /// How long librdkafka keeps retrying a record while the broker is away before the send
    /// fails (`message.timeout.ms`); defaults to 300 s.
    public var messageTimeout: Duration = .seconds(300)
    /// Extra librdkafka properties, applied last so they override everything above; defaults to none.
    public var properties: [String: String] = [:]

    /// Creates a configuration with defaults for everything but the brokers.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// The librdkafka properties, in the order they are applied.
    var rdKafkaProperties: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            // Java clients hash keys with murmur2; matching them keeps a key's partition
            // the same whichever client wrote it.
            ("partitioner", "murmur2_random"),
            ("linger.ms", String(linger.wholeMilliseconds)),
            ("message.timeout.ms", String(messageTimeout.wholeMilliseconds)),
        ]
        if idempotent {
            result.append(("enable.idempotence", "true"))
            result.append(("acks", "all"))
        }
        result.append(contentsOf: properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return result
    }
}
