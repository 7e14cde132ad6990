/// Logging metadata keys, named once so every role's lines can be searched
/// the same way.
public enum LogKey {
    public static let eventID = "event_id"
    public static let reminderID = "reminder_id"
    public static let recipient = "recipient"
    public static let channel = "channel"
    public static let topic = "topic"
    public static let deliveryID = "delivery_id"
    public static let reason = "reason"
    /// The error a failed step met.
    public static let error = "error"
    /// How long until the next attempt.
    public static let retryIn = "retry_in"
    /// A webhook subscription's id (never its URL's secret parts or its signing secret).
    public static let webhookSubscriptionID = "webhook_subscription_id"
    /// The Standard Webhooks message id (`webhook-id`) of a webhook delivery.
    public static let webhookID = "webhook_id"
}
