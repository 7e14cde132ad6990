import Foundation
import Metrics
import Observability
import ReminderContracts
import ReminderDomain

/// The delivery worker's metrics for its one topic (see ``MetricName``).
struct DeliveryMetrics: Sendable {
    let processed: Counter
    let failed: Counter
    let retried: Counter
    let deadLettered: Counter
    let lag: PartitionLagGauges
    private let latency: [String: Timer]

    init(channel: Channel, topic: String) {
        let dimensions = [("role", "worker.\(channel.rawValue)"), ("topic", topic)]
        processed = Counter(label: MetricName.messagesProcessed, dimensions: dimensions)
        failed = Counter(label: MetricName.messagesFailed, dimensions: dimensions)
        retried = Counter(label: MetricName.messagesRetried, dimensions: dimensions)
        deadLettered = Counter(label: MetricName.messagesDeadLettered, dimensions: dimensions)
        lag = PartitionLagGauges(label: MetricName.consumerLag, dimensions: [("role", "worker.\(channel.rawValue)")])
        latency = Dictionary(uniqueKeysWithValues: Self.outcomes.map { outcome in
            (outcome, Timer(label: MetricName.deliveryLatency, dimensions: [("channel", channel.rawValue), ("outcome", outcome)]))
        })
    }

    /// The outcomes whose latency is recorded.
    static let outcomes = ["sent", "dry_run", "failed"]

    /// Time from the firing to `outcome`, when the delivery says when it fired.
    func recordLatency(of delivery: Delivery, outcome: String, now: Date = Date()) {
        guard let firedAt = delivery.firedAt else { return }
        let seconds = max(0, now.timeIntervalSince(firedAt))
        latency[outcome]?.recordNanoseconds(Int64(seconds * 1_000_000_000))
    }
}
