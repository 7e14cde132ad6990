/// Percentiles by the nearest-rank rule: the `p`-th percentile of `n` sorted values is the
/// value at rank `ceil(p / 100 × n)` (1-based), so every percentile is one of the values
/// observed, never an interpolation; the 0th is the smallest, the 100th the largest. No values,
/// no percentile.
public enum Percentiles {
    /// The `p`-th percentile (0…100) of `sorted` (ascending), or `nil` when it is empty.
    public static func nearestRank<Value>(_ p: Double, ofSorted sorted: [Value]) -> Value? {
        precondition((0...100).contains(p), "a percentile lies in 0…100")
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The median by the same rule (the lower middle value of an even count).
    public static func median<Value>(ofSorted sorted: [Value]) -> Value? {
        nearestRank(50, ofSorted: sorted)
    }
}
