import ReminderDomain
import Testing

@Suite("Statistics: nearest-rank percentiles, latency and acknowledgement summaries")
struct StatisticsTests {
    @Test("nearest rank on a textbook set: 15, 20, 35, 40, 50")
    func textbook() {
        let values = [15.0, 20, 35, 40, 50]
        #expect(Percentiles.nearestRank(5, ofSorted: values) == 15)
        #expect(Percentiles.nearestRank(30, ofSorted: values) == 20)
        #expect(Percentiles.nearestRank(40, ofSorted: values) == 20)
        #expect(Percentiles.nearestRank(50, ofSorted: values) == 35)
        #expect(Percentiles.nearestRank(100, ofSorted: values) == 50)
        #expect(Percentiles.nearestRank(0, ofSorted: values) == 15)
    }

    @Test("empty: no percentile; one value: every percentile is it")
    func edges() {
        #expect(Percentiles.nearestRank(50, ofSorted: [Double]()) == nil)
        for p in stride(from: 0.0, through: 100, by: 12.5) {
            #expect(Percentiles.nearestRank(p, ofSorted: [7.0]) == 7)
        }
        #expect(Percentiles.median(ofSorted: [1, 2, 3, 4]) == 2)
    }

    @Test("for every size up to 200, each percentile is an observed value with at least p % at or below it and less than p % below it")
    func definitionHoldsExhaustively() {
        for n in 1...200 {
            let values = (1...n).map(Double.init)
            for p in [1.0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100] {
                let value = Percentiles.nearestRank(p, ofSorted: values)!
                let atOrBelow = values.filter { $0 <= value }.count
                let below = values.filter { $0 < value }.count
                #expect(Double(atOrBelow) >= p / 100 * Double(n) - 1e-9, "n \(n) p \(p)")
                #expect(Double(below) < p / 100 * Double(n), "n \(n) p \(p)")
            }
        }
    }

    @Test("latency summary of 1…100 ms in any order; negatives count as 0")
    func latency() {
        let summary = LatencySummary(milliseconds: (1...100).map(Double.init).reversed())
        #expect(summary.count == 100)
        #expect(summary.p50 == 50 && summary.p90 == 90 && summary.p95 == 95 && summary.p99 == 99 && summary.max == 100)
        let skewed = LatencySummary(milliseconds: [-5, 10])
        #expect(skewed.p50 == 0 && skewed.max == 10)
        let empty = LatencySummary(milliseconds: [])
        #expect(empty.count == 0 && empty.p50 == nil && empty.max == nil)
    }

    @Test("acknowledgement rate and median time")
    func acknowledgement() {
        let summary = AcknowledgementSummary(notified: 4, secondsToAcknowledge: [30, 10, 20])
        #expect(summary.acknowledged == 3)
        #expect(summary.rate == 0.75)
        #expect(summary.medianSeconds == 20)
        let none = AcknowledgementSummary(notified: 0, secondsToAcknowledge: [])
        #expect(none.rate == nil && none.medianSeconds == nil)
        #expect(AcknowledgementSummary(notified: 2, secondsToAcknowledge: []).rate == 0)
    }

    @Test("the outcomes counted are the six log statuses, spelled as in the log")
    func outcomes() {
        #expect(DeliveryOutcome.allCases.map(\.rawValue) == ["sent", "failed", "rate_limited", "deferred", "skipped", "dry_run"])
    }
}
