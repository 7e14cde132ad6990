import Foundation
import ReminderContracts
import ReminderDomain

/// The fields of a reminder a caller sets (create) or changes (PATCH).
public struct ReminderDraft: Sendable, Equatable {
    /// What the notification says in its heading.
    public var title = ""
    /// The notification's text, if any.
    public var message: String?
    /// How pressing it is.
    public var priority: Priority = .normal
    /// What makes it fire.
    public var triggerType: TriggerType = .timeBased
    /// A JSON object.
    public var triggerConfig: [String: JSONValue] = [:]
    /// Users it notifies, in the order the caller gave them.
    public var recipientUserIDs: [Int] = []
    /// Bare addresses it e-mails.
    public var recipientEmails: [String] = []
    /// `nil`: the recipient's own default.
    public var notifyMattermost: Bool?
    /// `nil`: the recipient's own default.
    public var notifyEmail: Bool?
    /// `nil`: the recipient's own default.
    public var notifyFrontend: Bool?
    /// Whether the `notify_*` flags win over the recipients' opt-outs.
    public var overrideUserPreferences = false
    /// How a time-based reminder repeats.
    public var recurrenceType: RecurrenceType = .once
    /// The IANA time zone its schedule keeps.
    public var timezone = "Europe/Copenhagen"
    /// When a time-based reminder first fires.
    public var scheduledAt: Date?
    /// Whether it fires at all.
    public var isActive = true
    /// `escalation`: steps taken when nobody reacts to a firing (at most 5; empty: none).
    public var escalation: [EscalationStep] = []

    /// A draft with the defaults of a new reminder.
    public init() {}
}
