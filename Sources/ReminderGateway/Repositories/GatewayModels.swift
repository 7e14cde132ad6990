import Foundation
import ReminderDomain

/// A reminder as stored.
struct ReminderRecord: Sendable {
    var id: Int
    var sagID: Int
    var draft: ReminderDraft
    var nextCheckAt: Date?
    var lastFiredAt: Date?
    var fireCount: Int
    var createdByUserID: Int?
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?
}

/// The fields of a reminder a caller sets (create) or changes (PATCH).
struct ReminderDraft: Sendable {
    var title = ""
    var message: String?
    var priority: Priority = .normal
    var triggerType: TriggerType = .timeBased
    /// A JSON object, as compact text.
    var triggerConfig: [String: JSONValue] = [:]
    var recipientUserIDs: [Int] = []
    var recipientEmails: [String] = []
    var notifyMattermost: Bool?
    var notifyEmail: Bool?
    var notifyFrontend: Bool?
    var overrideUserPreferences = false
    var recurrenceType: RecurrenceType = .once
    var timezone = "Europe/Copenhagen"
    var scheduledAt: Date?
    var isActive = true
}

/// What makes a reminder fire.
enum TriggerType: String, Sendable, CaseIterable {
    case statusChange = "status_change"
    case deadlineApproaching = "deadline_approaching"
    case timeBased = "time_based"
}

/// One in-app notification of the current user (a row of `sag_reminder_inbox`).
struct InboxEntry: Sendable {
    var id: Int
    var reminderID: Int
    var sagID: Int
    var eventID: String
    var title: String
    var message: String?
    var priority: String
    var caseTitle: String?
    var createdAt: Date
    var snoozedUntil: Date?
    /// Not dismissed, acknowledged or currently snoozed.
    var isPending: Bool
}

/// A caller's pending list.
struct PendingInbox: Sendable {
    var entries: [InboxEntry]
    /// The earliest end of a running snooze among the caller's open entries.
    var nextRelease: Date?
}

/// A user's notification defaults (`user_notification_preferences`, or its defaults).
struct NotificationPreferences: Sendable, Equatable {
    var notifyMattermost = true
    var notifyEmail = false
    var notifyFrontend = true
    var emailOverride: String?
    var mattermostUsername: String?
    var quietHoursEnabled = false
    /// `HH:MM`.
    var quietHoursStart: String?
    /// `HH:MM`.
    var quietHoursEnd: String?
    var timezone = "Europe/Copenhagen"
}

/// One row of a reminder's execution log.
struct ExecutionLogEntry: Sendable {
    var id: Int
    var eventID: String?
    var userID: Int?
    var recipientEmail: String?
    var channel: String?
    var status: String
    var interactionType: String?
    var reason: String?
    var errorMessage: String?
    var snoozedUntil: Date?
    var attempt: Int
    var createdAt: Date
}

/// A case of the host application, as far as the demo needs it.
struct CaseRecord: Sendable {
    var id: Int
    var title: String
    var status: String
    var deadline: Date?
}

/// Whether a token's user may use the gateway.
enum UserStatus: Sendable {
    case active, inactive, unknown
}

/// The outcome of a snooze, dismiss or acknowledge.
struct InteractionResult: Sendable {
    var reminderID: Int
    var status: String
    var at: Date
    var snoozedUntil: Date?
}
