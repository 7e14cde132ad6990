import Foundation
import Hummingbird
import ReminderContracts
import ReminderDomain
import ReminderStore
import Timestamps

/// The query of the statistics and history routes: `from` and `to` (RFC 3339; default the last
/// 30 days up to now; at most 366 days apart), `channel` and `status` (one outcome). A bad value
/// is a 422 naming the parameter.
enum StatisticsQuery {
    /// The window when none is given.
    static let defaultSpan: TimeInterval = 30 * 86_400
    /// The longest window.
    static let maximumSpan: TimeInterval = 366 * 86_400
    /// Channels a filter may name: every channel, the webhook channel included (its rows
    /// count on a case; a user's history has none).
    static let channels = Channel.allCases.map(\.rawValue)

    static func filter(_ request: Request, now: Date = Date()) throws(GatewayError) -> StatisticsFilter {
        let to = try time("to", request) ?? now
        let from = try time("from", request) ?? to.addingTimeInterval(-defaultSpan)
        guard from < to else { throw .invalid("from", "must be before `to`") }
        guard to.timeIntervalSince(from) <= maximumSpan else { throw .invalid("from", "the window may span at most 366 days") }
        var channel: String?
        if let text = request.uri.queryParameters["channel"].map(String.init) {
            guard channels.contains(text) else { throw .invalid("channel", "must be one of \(channels.joined(separator: ", "))") }
            channel = text
        }
        var outcome: DeliveryOutcome?
        if let text = request.uri.queryParameters["status"].map(String.init) {
            guard let value = DeliveryOutcome(rawValue: text) else {
                throw .invalid("status", "must be one of \(DeliveryOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            outcome = value
        }
        return StatisticsFilter(from: from, to: to, channel: channel, outcome: outcome)
    }

    private static func time(_ name: String, _ request: Request) throws(GatewayError) -> Date? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let date = Timestamp.parse(String(text)) else {
            throw .invalid(name, "must be an RFC 3339 time with an offset, e.g. 2026-11-30T00:00:00Z")
        }
        return date
    }
}
