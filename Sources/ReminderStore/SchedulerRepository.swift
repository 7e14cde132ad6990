import Foundation

/// What the scheduler needs from the database.
public protocol SchedulerRepository: Sendable {
    /// Fires up to `limit` due reminders in one transaction: writes each firing
    /// to the queue and the outbox and advances (or ends) its schedule.
    /// Returns the firings made.
    func fireDueReminders(limit: Int, now: Date) async throws -> [ScheduledFiring]
    /// Re-fires up to `limit` snoozes whose time has come, each for its one
    /// recipient; returns how many fired.
    func fireDueSnoozes(limit: Int) async throws -> Int
    /// The earliest time anything is due, if anything is scheduled.
    func nextDueTime() async throws -> Date?
    /// Re-arms up to `limit` recurring reminders whose case reopened, each at
    /// its next occurrence after `now` (the missed periods never fire);
    /// returns the reminders re-armed.
    func rearmReopenedReminders(limit: Int, now: Date) async throws -> [ScheduledFiring]
    /// Sends the held digests that are due (`REMINDERS_HELD_DIGEST`), looking at up to `limit`
    /// users with a due held item; one digest carries all a user's held items. Postpones the
    /// others to when the user's window and quiet hours allow.
    /// Does nothing when the repository was made without a digest limit.
    func releaseDueDigests(limit: Int) async throws -> [HeldDigestRelease]
    /// Settles up to `limit` due escalation steps: fires each whose firing nobody reacted to
    /// (a firing per step user, through the queue and the outbox), stops the others, and logs
    /// each with its reason. Claimed with `SKIP LOCKED`: a step is settled once.
    func fireDueEscalations(limit: Int) async throws -> [EscalationOutcome]
    /// Makes `statuses` the ones that close a case (`REMINDERS_CASE_CLOSED_STATUSES`).
    func storeClosingStatuses(_ statuses: Set<String>) async throws
}

/// One firing the scheduler made.
public struct ScheduledFiring: Sendable, Equatable {
    public var reminderID: Int
    public var eventID: UUID
    /// The due time it fired for.
    public var dueAt: Date
    /// The next due time, or `nil` when the reminder is done.
    public var nextCheckAt: Date?
}
