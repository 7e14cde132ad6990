import Metrics
import Synchronization

/// One gauge per partition of a consumed topic, made on first use: how far
/// the consumer is behind each partition's high watermark.
public final class PartitionLagGauges: Sendable {
    private let label: String
    private let dimensions: [(String, String)]
    private let gauges = Mutex<[String: Gauge]>([:])

    /// Gauges named `label` with `dimensions` plus `topic` and `partition`.
    public init(label: String, dimensions: [(String, String)]) {
        self.label = label
        self.dimensions = dimensions
    }

    /// Records `lag` for `topic`/`partition`.
    public func record(topic: String, partition: Int32, lag: Int64) {
        let key = "\(topic)/\(partition)"
        let gauge = gauges.withLock { gauges in
            if let gauge = gauges[key] { return gauge }
            let gauge = Gauge(label: label, dimensions: dimensions + [("topic", topic), ("partition", "\(partition)")])
            gauges[key] = gauge
            return gauge
        }
        gauge.record(Double(lag))
    }
}
