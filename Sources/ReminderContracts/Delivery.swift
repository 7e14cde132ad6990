import Foundation

/// One notification for one recipient on one channel: the value of a
/// `reminders.deliver.*` message.
public struct Delivery: Codable, Sendable, Equatable {
    /// The message's own id.
    public var eventID: UUID
    /// Stable id of (firing, recipient, channel); workers dedupe on it and
    /// e-mails derive their Message-ID from it.
    public var deliveryID: String
    public var firedEventID: UUID
    public var reminderID: Int
    public var sagID: Int
    public var caseTitle: String?
    public var channel: Channel
    public var recipientUserID: Int?
    public var recipientEmail: String?
    /// Where an e-mail goes: the user's override, their address, or the bare address.
    public var toAddress: String?
    public var mattermostUsername: String?
    public var title: String
    public var message: String?
    public var priority: Priority
    /// Held past the recipient's quiet hours until this time.
    public var notBefore: Date?
    /// Delivery attempts before this one.
    public var attempt: Int
    /// When the reminder fired (its case changed status or it fell due); the
    /// start of the delivery latency. Absent in messages of older versions.
    public var firedAt: Date?
    /// The webhook subscription a `webhook` delivery goes to (its id); `nil` on
    /// the other channels. The URL and secret stay in the database.
    public var webhookSubscriptionID: UUID?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case deliveryID = "delivery_id"
        case firedEventID = "fired_event_id"
        case reminderID = "reminder_id"
        case sagID = "sag_id"
        case caseTitle = "case_title"
        case channel
        case recipientUserID = "recipient_user_id"
        case recipientEmail = "recipient_email"
        case toAddress = "to_address"
        case mattermostUsername = "mattermost_username"
        case title, message, priority
        case notBefore = "not_before"
        case attempt
        case firedAt = "fired_at"
        case webhookSubscriptionID = "webhook_subscription_id"
    }

    /// Creates a delivery.
    public init(
        eventID: UUID, deliveryID: String, firedEventID: UUID, reminderID: Int, sagID: Int, caseTitle: String?,
        channel: Channel, recipientUserID: Int?, recipientEmail: String?, toAddress: String?,
        mattermostUsername: String?, title: String, message: String?, priority: Priority,
        notBefore: Date?, attempt: Int = 0, firedAt: Date? = nil, webhookSubscriptionID: UUID? = nil
    ) {
        self.eventID = eventID
        self.deliveryID = deliveryID
        self.firedEventID = firedEventID
        self.reminderID = reminderID
        self.sagID = sagID
        self.caseTitle = caseTitle
        self.channel = channel
        self.recipientUserID = recipientUserID
        self.recipientEmail = recipientEmail
        self.toAddress = toAddress
        self.mattermostUsername = mattermostUsername
        self.title = title
        self.message = message
        self.priority = priority
        self.notBefore = notBefore
        self.attempt = attempt
        self.firedAt = firedAt
        self.webhookSubscriptionID = webhookSubscriptionID
    }
}
