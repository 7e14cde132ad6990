import Foundation

/// The value of a `reminders.fired` message: one firing of one reminder.
public struct FiredEvent: Codable, Sendable, Equatable {
    /// What made a reminder fire.
    public enum EventType: String, Codable, Sendable, CaseIterable {
        case statusChange = "status_change"
        case deadlineApproaching = "deadline_approaching"
        case timeBased = "time_based"
        case snooze
    }

    /// The firing's id; every later stage dedupes on it.
    public var eventID: UUID
    /// What made it fire.
    public var eventType: EventType
    /// The reminder that fired.
    public var reminderID: Int
    /// The case the reminder belongs to.
    public var sagID: Int
    /// When it fired.
    public var occurredAt: Date
    /// The case's status before a status change.
    public var oldStatus: String?
    /// The case's status after a status change.
    public var newStatus: String?
    /// The due time the scheduler fired for.
    public var dueAt: Date?
    /// A snooze re-fire reaches only this user.
    public var recipientUserID: Int?
    /// A snooze re-fire reaches only this address.
    public var recipientEmail: String?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case eventType = "event_type"
        case reminderID = "reminder_id"
        case sagID = "sag_id"
        case occurredAt = "occurred_at"
        case oldStatus = "old_status"
        case newStatus = "new_status"
        case dueAt = "due_at"
        case recipientUserID = "recipient_user_id"
        case recipientEmail = "recipient_email"
    }

    /// Creates an event.
    public init(
        eventID: UUID, eventType: EventType, reminderID: Int, sagID: Int, occurredAt: Date,
        oldStatus: String? = nil, newStatus: String? = nil, dueAt: Date? = nil,
        recipientUserID: Int? = nil, recipientEmail: String? = nil
    ) {
        self.eventID = eventID
        self.eventType = eventType
        self.reminderID = reminderID
        self.sagID = sagID
        self.occurredAt = occurredAt
        self.oldStatus = oldStatus
        self.newStatus = newStatus
        self.dueAt = dueAt
        self.recipientUserID = recipientUserID
        self.recipientEmail = recipientEmail
    }
}
