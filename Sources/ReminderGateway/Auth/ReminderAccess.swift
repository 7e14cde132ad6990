import ReminderStore

/// The authenticated caller of a request.
struct Caller: Sendable, Equatable {
    var userID: Int
    /// A reminders administrator (token role `admin`).
    var isAdmin: Bool
}

/// Who may do what with a reminder, once the host's rule
/// (`reminders_can_access_case`) has let the caller into its case: the
/// creator, the recipients and administrators change, delete and read
/// everything; anyone else on the case reads it without the private fields.
enum ReminderAccess {
    /// May change or delete the reminder, and see its private fields.
    static func isInvolved(_ caller: Caller, createdBy: Int?, recipients: [Int]) -> Bool {
        caller.isAdmin || createdBy == caller.userID || recipients.contains(caller.userID)
    }

    static func isInvolved(_ caller: Caller, in record: ReminderRecord) -> Bool {
        isInvolved(caller, createdBy: record.createdByUserID, recipients: record.draft.recipientUserIDs)
    }

    /// The 403 for a caller who may only read.
    static func refusal(_ id: Int) -> GatewayError {
        GatewayError(
            status: .forbidden, code: "not-involved",
            message: "only the creator, a recipient or an administrator may change reminder \(id)", field: "reminder_id"
        )
    }
}
