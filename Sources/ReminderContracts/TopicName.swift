/// The Kafka topics of the pipeline, as defined in `topics/`.
public enum TopicName {
    /// A reminder fired; read by the dispatcher.
    public static let fired = "reminders.fired"
    /// One e-mail for one recipient.
    public static let deliverEmail = "reminders.deliver.email"
    /// One Mattermost post for one recipient.
    public static let deliverMattermost = "reminders.deliver.mattermost"
    /// One signed webhook call for one subscription.
    public static let deliverWebhook = "reminders.deliver.webhook"

    /// The dead-letter topic that parks what `topic` could not process.
    public static func deadLetter(of topic: String) -> String { topic + ".dlq" }
}
