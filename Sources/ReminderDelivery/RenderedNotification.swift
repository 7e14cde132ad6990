import Foundation
import ReminderContracts
import ReminderDomain

/// A notification ready to go out.
public struct RenderedNotification: Sendable {
    /// What is (or would be) sent, for the log (the dry run's record).
    public var document: JSONValue
    /// The e-mail's Message-ID, or a webhook call's `webhook-id`.
    public var messageID: String?
    /// Short facts for the log line (recipient, subject).
    public var summary: [String: String]
    /// The bytes on the wire: the MIME message or the JSON body.
    public var body: [UInt8]
    /// The envelope sender of an e-mail.
    public var envelopeFrom: String?
    /// The envelope recipients of an e-mail.
    public var recipients: [String]
    /// The subscription a webhook call goes to.
    public var webhookSubscriptionID: UUID?

    /// Creates a rendered notification.
    public init(
        document: JSONValue, messageID: String?, summary: [String: String], body: [UInt8],
        envelopeFrom: String? = nil, recipients: [String] = []
    ) {
        self.document = document
        self.messageID = messageID
        self.summary = summary
        self.body = body
        self.envelopeFrom = envelopeFrom
        self.recipients = recipients
    }
}
