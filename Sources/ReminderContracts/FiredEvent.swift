import Foundation

/// The value of a `reminders.fired` message: one firing of one reminder.
public struct FiredEvent: Codable, Sendable, Equatable {
    /// What made a reminder fire.
    public enum EventType: String, Codable, Sendable, CaseIterable {
        case statusChange = "status_change"
        case deadlineApproaching = "deadline_approaching"
        case timeBased = "time_based"
        case snooze
        /// An escalation step: the reminder re-fired for the step's users.
        case escalation
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
    /// An escalation step's channels: they stand in for the reminder's own
    /// channel flags (the user's preferences still apply).
    public var channels: [Channel]?
    /// The escalation step (from 0).
    public var escalationStep: Int?
    /// The firing an escalation step escalates.
    public var escalatedEventID: UUID?

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
        case channels
        case escalationStep = "escalation_step"
        case escalatedEventID = "escalated_event_id"
    }

    /// Creates an event.
    public init(
        eventID: UUID, eventType: EventType, reminderID: Int, sagID: Int, occurredAt: Date,
        oldStatus: String? = nil, newStatus: String? = nil, dueAt: Date? = nil,
        recipientUserID: Int? = nil, recipientEmail: String? = nil,
        channels: [Channel]? = nil, escalationStep: Int? = nil, escalatedEventID: UUID? = nil
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
        self.channels = channels
        self.escalationStep = escalationStep
        self.escalatedEventID = escalatedEventID
    }
}
