import Foundation
import ReminderDomain
import ReminderStore
import Timestamps

extension Representations {
    /// Every outcome with its count, zeros included, in the documented order.
    static func outcomeCounts(_ counts: [DeliveryOutcome: Int]) -> JSONOutput {
        .object(DeliveryOutcome.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })
    }

    /// A number to three decimals (`null` when absent or not finite). Swift writes a finite
    /// `Double` as valid JSON (`500.0`, `1e-05`).
    static func number(_ value: Double?) -> JSONOutput {
        guard let value, value.isFinite else { return .null }
        return .raw(String((value * 1000).rounded() / 1000))
    }

    /// The statistics object shared by the case statistics and the history.
    static func statistics(_ statistics: DeliveryStatistics, filter: StatisticsFilter) -> JSONOutput {
        .object(statisticsMembers(statistics, filter: filter))
    }

    /// The members of ``statistics(_:filter:)``, for an object that adds its own in front.
    static func statisticsMembers(_ statistics: DeliveryStatistics, filter: StatisticsFilter) -> [(String, JSONOutput)] {
        let channelNames = (StatisticsQuery.channels + statistics.channels.keys.compactMap { $0 }).reduce(into: [String]()) { names, name in
            if !names.contains(name) { names.append(name) }
        }
        var channels: [(String, JSONOutput)] = channelNames
            .filter { filter.channel == nil || filter.channel == $0 }
            .map { ($0, outcomeCounts(statistics.channels[$0] ?? [:])) }
        if filter.channel == nil {
            // Rows of no channel: a recipient held back by the rate limit, or a firing skipped as a whole.
            channels.append(("none", outcomeCounts(statistics.channels[nil] ?? [:])))
        }
        let latency = statistics.latency
        let acknowledgement = statistics.acknowledgement
        return [
            ("from", .string(Timestamp.format(filter.from))),
            ("to", .string(Timestamp.format(filter.to))),
            ("channel", string(filter.channel)),
            ("status", string(filter.outcome?.rawValue)),
            ("outcomes", outcomeCounts(statistics.outcomes)),
            ("channels", .object(channels)),
            ("latency_ms", .object([
                ("count", .int(latency.count)), ("p50", number(latency.p50)), ("p90", number(latency.p90)),
                ("p95", number(latency.p95)), ("p99", number(latency.p99)), ("max", number(latency.max)),
            ])),
            ("acknowledgement", .object([
                ("notified", .int(acknowledgement.notified)), ("acknowledged", .int(acknowledgement.acknowledged)),
                ("rate", number(acknowledgement.rate)), ("median_seconds", number(acknowledgement.medianSeconds)),
            ])),
            ("days", .array(statistics.days.map { day in
                .object([("date", .string(day.date)), ("outcomes", outcomeCounts(day.outcomes))])
            })),
        ]
    }

    /// One history entry.
    static func historyEntry(_ entry: HistoryEntry) -> JSONOutput {
        .object([
            ("id", .int(entry.id)),
            ("reminder_id", JSONOutput.optional(entry.reminderID) { .int($0) }),
            ("sag_id", JSONOutput.optional(entry.sagID) { .int($0) }),
            ("title", string(entry.title)),
            ("event_id", string(entry.eventID?.uuidString.lowercased())),
            ("channel", string(entry.channel)),
            ("status", .string(entry.outcome.rawValue)),
            ("reason", string(entry.reason)),
            ("created_at", .string(Timestamp.format(entry.createdAt))),
        ])
    }
}
