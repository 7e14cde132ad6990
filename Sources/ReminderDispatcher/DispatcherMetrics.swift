import Metrics
import Observability
import ReminderContracts
import ReminderDomain

/// The dispatcher's metrics (see ``MetricName``).
struct DispatcherMetrics: Sendable {
    let processed: Counter
    let deadLettered: Counter
    let rateLimited: Counter
    let lag: PartitionLagGauges
    private let dispatched: [Channel: Counter]

    init() {
        let dimensions = [("role", "dispatcher"), ("topic", TopicName.fired)]
        processed = Counter(label: MetricName.messagesProcessed, dimensions: dimensions)
        deadLettered = Counter(label: MetricName.messagesDeadLettered, dimensions: dimensions)
        rateLimited = Counter(label: MetricName.rateLimited)
        lag = PartitionLagGauges(label: MetricName.consumerLag, dimensions: [("role", "dispatcher")])
        dispatched = Dictionary(uniqueKeysWithValues: Channel.allCases.map {
            ($0, Counter(label: MetricName.dispatched, dimensions: [("channel", $0.rawValue)]))
        })
    }

    /// Counts what one firing's plan emitted and held back.
    func record(_ plan: DispatchPlan) {
        for delivery in plan.deliveries { dispatched[delivery.channel]?.increment() }
        if !plan.rateLimited.isEmpty { rateLimited.increment(by: plan.rateLimited.count) }
    }
}
