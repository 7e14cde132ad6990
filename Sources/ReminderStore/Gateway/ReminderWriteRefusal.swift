/// Why the store refused to write a reminder: the caller's input or quota, never a fault of
/// the database. Says what and where in the store's terms; the caller words it for its users.
public enum ReminderWriteRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// `recipientUserIDs[index]` names no user.
    case unknownRecipient(index: Int, userID: Int)
    /// `recipientUserIDs[index]` names a deactivated user.
    case deactivatedRecipient(index: Int, userID: Int)
    /// `escalation[step].to_user_ids[index]` names no user.
    case unknownEscalationUser(step: Int, index: Int, userID: Int)
    /// `escalation[step].to_user_ids[index]` names a deactivated user.
    case deactivatedEscalationUser(step: Int, index: Int, userID: Int)
    /// The creator made `made` reminders in the last hour, reaching `quota`; one more may be
    /// made in `retryAfterSeconds`.
    case creationQuotaReached(made: Int, quota: Int, retryAfterSeconds: Int)

    /// One line saying what was refused.
    public var description: String {
        switch self {
        case .unknownRecipient(let index, let userID): "recipient \(index) (user \(userID)) does not exist"
        case .deactivatedRecipient(let index, let userID): "recipient \(index) (user \(userID)) is deactivated"
        case .unknownEscalationUser(let step, let index, let userID): "escalation step \(step) user \(index) (user \(userID)) does not exist"
        case .deactivatedEscalationUser(let step, let index, let userID): "escalation step \(step) user \(index) (user \(userID)) is deactivated"
        case .creationQuotaReached(let made, let quota, let retryAfter): "\(made) reminders created in the last hour (limit \(quota)); next in \(retryAfter) s"
        }
    }
}
