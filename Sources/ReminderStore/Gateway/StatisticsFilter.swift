import Foundation
import ReminderDomain

/// Which log rows statistics and history look at: a window of time (`from` inclusive, `to`
/// exclusive) and, optionally, one channel and one outcome.
public struct StatisticsFilter: Sendable, Equatable {
    /// Start of the window.
    public var from: Date
    /// End of the window (not included).
    public var to: Date
    /// Only this channel (`email`, `mattermost`, `frontend`), or all.
    public var channel: String?
    /// Only this outcome, or all six.
    public var outcome: DeliveryOutcome?

    /// A filter.
    public init(from: Date, to: Date, channel: String? = nil, outcome: DeliveryOutcome? = nil) {
        self.from = from
        self.to = to
        self.channel = channel
        self.outcome = outcome
    }
}
