/// The host application's cases, for the demo page.
public protocol CaseRepository: Sendable {
    /// Whether `userID` may access the case (see ``ReminderRepository/caseAccessible(_:by:)``).
    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool
    /// A case that is not deleted.
    func caseRecord(id: Int) async throws -> CaseRecord?
    /// Sets a live case's status (which fires its status_change reminders); `nil` when there
    /// is no such case.
    func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord?
}
