/// How in-app notifications were acknowledged: of those written, the share acknowledged, and
/// the median time from the notification to its acknowledgement.
public struct AcknowledgementSummary: Sendable, Equatable {
    /// In-app notifications counted.
    public var notified: Int
    /// Of those, acknowledged.
    public var acknowledged: Int
    /// `acknowledged / notified`, `nil` without notifications.
    public var rate: Double?
    /// Median seconds to acknowledge (nearest rank), `nil` without acknowledgements.
    public var medianSeconds: Double?

    /// A summary of `notified` notifications, `secondsToAcknowledge` holding one value per
    /// acknowledged one (negative values count as 0).
    public init(notified: Int, secondsToAcknowledge: [Double]) {
        self.notified = notified
        acknowledged = secondsToAcknowledge.count
        rate = notified > 0 ? Double(min(acknowledged, notified)) / Double(notified) : nil
        medianSeconds = Percentiles.median(ofSorted: secondsToAcknowledge.map { Swift.max(0, $0) }.sorted())
    }
}
