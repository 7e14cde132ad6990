/// Reminders on cases and their execution log.
public protocol ReminderRepository: Sendable {
    /// Whether the case exists, is not deleted, and the host's rule
    /// (`reminders_can_access_case`) lets `userID` in.
    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool
    /// The case's reminders that are not deleted, oldest first.
    func reminders(onCase sagID: Int) async throws -> [ReminderRecord]
    /// A reminder that is not deleted.
    func reminder(id: Int) async throws -> ReminderRecord?
    /// A reminder, deleted or not (deleted ones keep their log).
    func reminderIncludingDeleted(id: Int) async throws -> ReminderRecord?
    /// Stores a new reminder. Throws a ``ReminderWriteRefusal``: the quota, when `createdBy`
    /// made `quota` reminders in the last hour; or the first recipient that does not exist or
    /// is deactivated.
    func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int, quota: Int) async throws -> ReminderRecord
    /// Changes a live reminder in one transaction: `change` gets the stored row (locked) and
    /// returns the new fields, or throws to refuse (its error is passed on). `nil` when there is
    /// no such reminder. Recipients the change adds must exist and be active (a
    /// ``ReminderWriteRefusal`` naming the first that is not).
    func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord?
    /// Soft-deletes (idempotent) after `authorize` accepted the stored row; false when the
    /// reminder never existed.
    func softDelete(id: Int, authorize: @Sendable (ReminderRecord) throws -> Void) async throws -> Bool
    /// Newest first, ids below `before`.
    func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry]
}
