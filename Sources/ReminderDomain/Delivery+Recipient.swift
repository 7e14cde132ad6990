import ReminderContracts

extension Delivery {
    /// The recipient this delivery is for: whose rate window and quiet hours apply.
    public var recipient: RecipientKey {
        if let recipientUserID { return .user(recipientUserID) }
        return .email(recipientEmail ?? toAddress ?? "")
    }
}
