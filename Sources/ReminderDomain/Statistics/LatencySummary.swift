/// Delivery latencies (from a firing to its `sent` log row) summarised: how many, and the
/// nearest-rank percentiles in milliseconds.
public struct LatencySummary: Sendable, Equatable {
    /// How many latencies were summarised.
    public var count: Int
    /// Median.
    public var p50: Double?
    /// 90th percentile.
    public var p90: Double?
    /// 95th percentile.
    public var p95: Double?
    /// 99th percentile.
    public var p99: Double?
    /// Largest.
    public var max: Double?

    /// Summarises `milliseconds` (any order; negative values, which a clock step could give,
    /// count as 0).
    public init(milliseconds: [Double]) {
        let sorted = milliseconds.map { Swift.max(0, $0) }.sorted()
        count = sorted.count
        p50 = Percentiles.nearestRank(50, ofSorted: sorted)
        p90 = Percentiles.nearestRank(90, ofSorted: sorted)
        p95 = Percentiles.nearestRank(95, ofSorted: sorted)
        p99 = Percentiles.nearestRank(99, ofSorted: sorted)
        max = sorted.last
    }
}
