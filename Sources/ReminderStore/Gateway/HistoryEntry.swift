import Foundation
import ReminderDomain

/// One outcome in a user's notification history (a row of the execution log).
public struct HistoryEntry: Sendable, Equatable {
    /// The log row's id (the page cursor).
    public var id: Int
    /// The reminder, when the row names one.
    public var reminderID: Int?
    /// Its case.
    public var sagID: Int?
    /// The reminder's title, when it still exists.
    public var title: String?
    /// The firing.
    public var eventID: UUID?
    /// The channel, when the row has one.
    public var channel: String?
    /// What became of it.
    public var outcome: DeliveryOutcome
    /// Why, in a line.
    public var reason: String?
    /// When.
    public var createdAt: Date

    /// An entry.
    public init(
        id: Int, reminderID: Int?, sagID: Int?, title: String?, eventID: UUID?, channel: String?, outcome: DeliveryOutcome, reason: String?,
        createdAt: Date
    ) {
        self.id = id
        self.reminderID = reminderID
        self.sagID = sagID
        self.title = title
        self.eventID = eventID
        self.channel = channel
        self.outcome = outcome
        self.reason = reason
        self.createdAt = createdAt
    }
}
