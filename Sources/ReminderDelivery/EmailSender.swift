import Curl
import Foundation
import ReminderContracts
import ReminderDomain

/// Sends reminder e-mails over SMTP (libcurl), one kept-open session for
/// many messages.
public struct EmailSender: DeliverySender {
    /// `From:` and envelope sender.
    public var sender: EmailMessage.Sender
    /// The body templates.
    public var templates: EmailMessage.Templates
    /// Where case links point (`PUBLIC_BASE_URL`).
    public var publicBaseURL: String
    private let client: CurlSMTPClient
    private let smtpHost: String

    /// Creates a sender; the connection opens on the first send.
    public init(smtp: SMTPConfiguration, sender: EmailMessage.Sender, templates: EmailMessage.Templates, publicBaseURL: String) {
        self.client = CurlSMTPClient(configuration: smtp)
        self.smtpHost = "\(smtp.host):\(smtp.port)"
        self.sender = sender
        self.templates = templates
        self.publicBaseURL = publicBaseURL
    }

    /// The SMTP connection the `EMAIL_SMTP_*` settings describe: STARTTLS
    /// when `useTLS` (implicit TLS on port 465), AUTH only when a user is set;
    /// up to `sessions` messages are sent at once, each over its own kept-open session.
    public static func smtpConfiguration(
        host: String, port: Int, user: String, password: String, useTLS: Bool, sessions: Int = 1
    ) -> SMTPConfiguration {
        var smtp = SMTPConfiguration(host: host, port: port)
        smtp.maxConnections = max(1, sessions)
        smtp.security = useTLS ? (port == 465 ? .implicitTLS : .startTLS) : .none
        if !user.isEmpty {
            smtp.username = user
            smtp.password = password
        }
        return smtp
    }

    public func render(_ delivery: Delivery) throws -> RenderedNotification {
        let email = try EmailMessage.render(delivery, sender: sender, templates: templates, publicBaseURL: publicBaseURL, date: Date())
        let bytes = email.bytes
        let headers = JSONValue.object(Dictionary(email.headers.map { ($0.name, JSONValue.string($0.value)) }) { first, _ in first })
        return RenderedNotification(
            document: .object([
                "channel": .string("email"),
                "from": .string(email.envelopeFrom),
                "to": .string(email.recipient),
                "subject": .string(email.subject),
                "message_id": .string(email.messageID),
                "headers": headers,
                "text": .string(email.textBody),
                "html": .string(email.htmlBody),
                "message": .string(String(decoding: bytes, as: UTF8.self)),
            ]),
            messageID: email.messageID,
            summary: ["to": email.recipient, "subject": email.subject, "message_id": email.messageID],
            body: bytes,
            envelopeFrom: email.envelopeFrom,
            recipients: [email.recipient]
        )
    }

    public func send(_ notification: RenderedNotification) async throws -> SendOutcome {
        do {
            try await client.send(from: notification.envelopeFrom ?? sender.address, recipients: notification.recipients, message: notification.body)
            return .delivered("accepted by \(smtpHost)")
        } catch let error as CurlError {
            return error.isRetriable ? .transient("SMTP \(smtpHost): \(error)", retryAfter: nil) : .permanent("SMTP \(smtpHost): \(error)")
        } catch let error as CancellationError {
            throw error
        } catch {
            return .transient("SMTP \(smtpHost): \(error)", retryAfter: nil)
        }
    }
}
