/// A user's in-app inbox and what they do with it.
public protocol InboxRepository: Sendable {
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
    /// What the rate limit held back from the user in the last 7 days, of live reminders on
    /// cases the user may access: the count, and the newest `limit` items.
    func held(userID: Int, limit: Int) async throws -> HeldList
}
