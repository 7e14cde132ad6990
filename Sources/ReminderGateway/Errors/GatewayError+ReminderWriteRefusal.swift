import ReminderStore

extension GatewayError {
    /// The answer to a reminder the store refused: a 422 naming the recipient's place in
    /// `recipient_user_ids`, or a 429 saying when the creation quota frees up.
    init(_ refusal: ReminderWriteRefusal) {
        switch refusal {
        case .unknownRecipient(let index, let userID):
            self = .invalid("recipient_user_ids[\(index)]", "there is no user \(userID)")
        case .deactivatedRecipient(let index, let userID):
            self = .invalid("recipient_user_ids[\(index)]", "user \(userID) is deactivated")
        case .unknownEscalationUser(let step, let index, let userID):
            self = .invalid("escalation[\(step)].to_user_ids[\(index)]", "there is no user \(userID)")
        case .deactivatedEscalationUser(let step, let index, let userID):
            self = .invalid("escalation[\(step)].to_user_ids[\(index)]", "user \(userID) is deactivated")
        case .creationQuotaReached(let made, let quota, let retryAfterSeconds):
            self = .tooMany(
                nil, "you created \(made) reminders in the last hour; the limit is \(quota) (REMINDERS_MAX_CREATED_PER_HOUR)",
                retryAfter: retryAfterSeconds
            )
        }
    }
}
