import Foundation

/// One in-app notification of a user (a row of `sag_reminder_inbox`).
public struct InboxEntry: Sendable, Equatable {
    /// Its id, also the event stream's event id.
    public var id: Int
    /// The reminder that fired.
    public var reminderID: Int
    /// The reminder's case.
    public var sagID: Int
    /// The firing's event id.
    public var eventID: String
    /// The reminder's title when it fired.
    public var title: String
    /// The reminder's message when it fired.
    public var message: String?
    /// The reminder's priority when it fired.
    public var priority: String
    /// The case's title when it fired.
    public var caseTitle: String?
    /// When it was written.
    public var createdAt: Date
    /// When a snooze of it ends.
    public var snoozedUntil: Date?
    /// Not dismissed, acknowledged or currently snoozed.
    public var isPending: Bool

    /// An entry.
    public init(
        id: Int, reminderID: Int, sagID: Int, eventID: String, title: String, message: String?, priority: String,
        caseTitle: String?, createdAt: Date, snoozedUntil: Date?, isPending: Bool
    ) {
        self.id = id
        self.reminderID = reminderID
        self.sagID = sagID
        self.eventID = eventID
        self.title = title
        self.message = message
        self.priority = priority
        self.caseTitle = caseTitle
        self.createdAt = createdAt
        self.snoozedUntil = snoozedUntil
        self.isPending = isPending
    }
}
