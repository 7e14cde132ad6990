import ReminderContracts

extension Delivery {
    /// The recipient this delivery is for: whose rate window and quiet hours apply.
    public var recipient: RecipientKey {
        if let recipientUserID { return .user(recipientUserID) }
        return .email(recipientEmail ?? toAddress ?? "")
    }
}

extension Delivery {
    /// The Kafka message key of this delivery: the recipient's, or for a webhook
    /// `webhook:<subscription id>`, so one consumer owns a subscription's calls at a time.
    public var messageKey: String {
        if channel == .webhook, let subscription = webhookSubscriptionID {
            return "webhook:" + subscription.uuidString.lowercased()
        }
        return recipient.messageKey
    }
}
