import Foundation

/// Counts, latency and acknowledgement of notifications in a window: what the case statistics
/// and a user's history report.
public struct DeliveryStatistics: Sendable, Equatable {
    /// One day's outcome counts (UTC days).
    public struct Day: Sendable, Equatable {
        /// `2026-11-30`.
        public var date: String
        /// Count per outcome; outcomes without rows are absent.
        public var outcomes: [DeliveryOutcome: Int]

        /// A day's counts.
        public init(date: String, outcomes: [DeliveryOutcome: Int]) {
            self.date = date
            self.outcomes = outcomes
        }
    }

    /// Count per outcome over every channel.
    public var outcomes: [DeliveryOutcome: Int]
    /// Count per channel (`nil`: rows of no channel, such as a recipient's rate-limit row) and outcome.
    public var channels: [String?: [DeliveryOutcome: Int]]
    /// From each firing to its `sent` row.
    public var latency: LatencySummary
    /// In-app notifications acknowledged.
    public var acknowledgement: AcknowledgementSummary
    /// Each day of the window that has rows, oldest first.
    public var days: [Day]

    /// Statistics from counted rows: `counts` holds one element per (channel, outcome) with its
    /// count; `daily` one per (UTC date, outcome).
    public init(
        counts: [(channel: String?, outcome: DeliveryOutcome, count: Int)], daily: [(date: String, outcome: DeliveryOutcome, count: Int)],
        latency: LatencySummary, acknowledgement: AcknowledgementSummary
    ) {
        var outcomes: [DeliveryOutcome: Int] = [:]
        var channels: [String?: [DeliveryOutcome: Int]] = [:]
        for row in counts {
            outcomes[row.outcome, default: 0] += row.count
            channels[row.channel, default: [:]][row.outcome, default: 0] += row.count
        }
        var byDate: [String: [DeliveryOutcome: Int]] = [:]
        for row in daily {
            byDate[row.date, default: [:]][row.outcome, default: 0] += row.count
        }
        self.outcomes = outcomes
        self.channels = channels
        self.latency = latency
        self.acknowledgement = acknowledgement
        days = byDate.keys.sorted().map { Day(date: $0, outcomes: byDate[$0]!) }
    }
}
