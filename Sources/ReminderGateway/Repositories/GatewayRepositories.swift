import Foundation

/// Who the users are (the host application's `users`).
protocol UserDirectory: Sendable {
    /// Whether `userID` exists and is active.
    func status(of userID: Int) async throws -> UserStatus
}

/// Reminders on cases and their execution log.
protocol ReminderRepository: Sendable {
    /// Whether the case exists, is not deleted, and the host's rule
    /// (`reminders_can_access_case`) lets `userID` in.
    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool
    /// The case's reminders that are not deleted, oldest first.
    func reminders(onCase sagID: Int) async throws -> [ReminderRecord]
    /// A reminder that is not deleted.
    func reminder(id: Int) async throws -> ReminderRecord?
    /// A reminder, deleted or not (deleted ones keep their log).
    func reminderIncludingDeleted(id: Int) async throws -> ReminderRecord?
    /// Stores a new reminder. Throws a 422 naming a recipient that does not exist or is
    /// deactivated, and a 429 when `createdBy` made `quota` reminders in the last hour.
    func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int, quota: Int) async throws -> ReminderRecord
    /// Changes a live reminder in one transaction: `change` gets the stored row (locked) and
    /// returns the new fields, or throws to refuse. `nil` when there is no such reminder.
    /// Recipients the change adds must exist and be active (422).
    func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord?
    /// Soft-deletes (idempotent) after `authorize` accepted the stored row; false when the
    /// reminder never existed.
    func softDelete(id: Int, authorize: @Sendable (ReminderRecord) throws -> Void) async throws -> Bool
    /// Newest first, ids below `before`.
    func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry]
}

/// The current user's in-app inbox and what they do with it.
protocol InboxRepository: Sendable {
    /// The case of a live reminder when `userID` is one of its recipients (listed, or has an
    /// inbox entry) and may access the case.
    func caseOfReminder(_ reminderID: Int, forRecipient userID: Int) async throws -> Int?
    /// Snoozes for `minutes`; cancels the user's earlier open snoozes of the reminder. The
    /// same snooze repeated within a minute (a double click) returns the first one.
    func snooze(reminderID: Int, sagID: Int, userID: Int, minutes: Int) async throws -> InteractionResult
    /// Dismisses for this user only (idempotent).
    func dismiss(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult
    /// Acknowledges the user's entries of the reminder; repeating it writes nothing new.
    func acknowledge(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult
    /// The newest pending entry per live, active reminder, newest first; and when the first
    /// snoozed entry comes back (the list changes then without any write).
    func pending(userID: Int, limit: Int) async throws -> PendingInbox
    /// Entries with ids above `cursor`, oldest first (pending or not, see ``InboxEntry/isPending``).
    func entries(userID: Int, after cursor: Int, limit: Int) async throws -> [InboxEntry]
    /// The user's highest entry id (0 without entries).
    func latestEntryID(userID: Int) async throws -> Int
}

/// A user's notification preferences.
protocol PreferencesRepository: Sendable {
    /// The stored preferences or the defaults.
    func preferences(userID: Int) async throws -> NotificationPreferences
    /// Stores them (insert or update).
    func save(_ preferences: NotificationPreferences, userID: Int) async throws -> NotificationPreferences
}

/// The host application's cases, for the demo page.
protocol CaseRepository: Sendable {
    /// Whether `userID` may access the case (see ``ReminderRepository/caseAccessible(_:by:)``).
    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool
    func caseRecord(id: Int) async throws -> CaseRecord?
    func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord?
}

/// Whether the database answers.
protocol HealthProbe: Sendable {
    func checkDatabase() async throws
}
