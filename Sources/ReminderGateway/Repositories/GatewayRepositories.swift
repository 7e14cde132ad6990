import Foundation

/// Who the users are (the host application's `users`).
protocol UserDirectory: Sendable {
    /// Whether `userID` exists and is active.
    func status(of userID: Int) async throws -> UserStatus
}

/// Reminders on cases and their execution log.
protocol ReminderRepository: Sendable {
    /// Whether the case exists and is not deleted.
    func caseExists(_ sagID: Int) async throws -> Bool
    /// The case's reminders that are not deleted, oldest first.
    func reminders(onCase sagID: Int) async throws -> [ReminderRecord]
    /// A reminder that is not deleted.
    func reminder(id: Int) async throws -> ReminderRecord?
    /// Stores a new reminder; throws a 422 naming the recipient that does not exist.
    func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int) async throws -> ReminderRecord
    /// Changes a live reminder in one transaction: `change` gets the stored row and returns the
    /// new fields. `nil` when there is no such reminder.
    func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord?
    /// Soft-deletes (idempotent); false when the reminder never existed.
    func softDelete(id: Int) async throws -> Bool
    /// Whether the reminder exists at all (deleted ones keep their log).
    func reminderExists(id: Int) async throws -> Bool
    /// Newest first, ids below `before`.
    func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry]
}

/// The current user's in-app inbox and what they do with it.
protocol InboxRepository: Sendable {
    /// The reminder's case when `userID` is one of its recipients (listed, or has an inbox entry).
    func caseOfReminder(_ reminderID: Int, forRecipient userID: Int) async throws -> Int?
    /// Snoozes for `minutes`; cancels the user's earlier open snoozes of the reminder.
    func snooze(reminderID: Int, sagID: Int, userID: Int, minutes: Int) async throws -> InteractionResult
    /// Dismisses for this user only (idempotent).
    func dismiss(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult
    /// Acknowledges the user's entries of the reminder.
    func acknowledge(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult
    /// The newest pending entry per reminder, newest first.
    func pending(userID: Int, limit: Int) async throws -> [InboxEntry]
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
    func caseRecord(id: Int) async throws -> CaseRecord?
    func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord?
}

/// Whether the database answers.
protocol HealthProbe: Sendable {
    func checkDatabase() async throws
}
