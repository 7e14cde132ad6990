import Foundation

/// A notification the rate limit held back from a user: a `rate_limited`
/// decision of the execution log, with what the reminder said.
public struct HeldNotification: Sendable, Equatable {
    /// The log row's id.
    public var id: Int
    /// The firing that was held back.
    public var eventID: String
    /// The reminder that fired.
    public var reminderID: Int
    /// The reminder's case.
    public var sagID: Int
    /// The reminder's title.
    public var title: String
    /// The reminder's message.
    public var message: String?
    /// The reminder's priority.
    public var priority: String
    /// The case's title.
    public var caseTitle: String?
    /// When it was held back.
    public var heldAt: Date
    /// Why (the limit and the count in the window).
    public var reason: String?

    /// A held notification.
    public init(
        id: Int, eventID: String, reminderID: Int, sagID: Int, title: String, message: String?, priority: String,
        caseTitle: String?, heldAt: Date, reason: String?
    ) {
        self.id = id
        self.eventID = eventID
        self.reminderID = reminderID
        self.sagID = sagID
        self.title = title
        self.message = message
        self.priority = priority
        self.caseTitle = caseTitle
        self.heldAt = heldAt
        self.reason = reason
    }
}
