import Curl
import Foundation
import ReminderContracts
import ReminderDomain

/// Posts reminders to a Mattermost incoming webhook (libcurl HTTPS).
///
/// 2xx is delivered; 429 (with `Retry-After`), 408 and 5xx pass; any other
/// status is a permanent failure. The webhook URL is a secret: it never
/// appears in logs or reasons.
public struct MattermostSender: DeliverySender {
    /// Where case links point (`PUBLIC_BASE_URL`).
    public var publicBaseURL: String
    private let webhookURL: String
    private let client: CurlHTTPClient

    /// Creates a sender posting to `webhookURL`.
    public init(webhookURL: String, publicBaseURL: String, http: CurlHTTPClientConfiguration = .init()) {
        self.webhookURL = webhookURL
        self.publicBaseURL = publicBaseURL
        self.client = CurlHTTPClient(configuration: http)
    }

    /// Creates a sender posting to `webhookURL` with up to `concurrentRequests`
    /// posts at once, each over its own kept-alive connection.
    public init(webhookURL: String, publicBaseURL: String, concurrentRequests: Int) {
        var http = CurlHTTPClientConfiguration()
        http.maxConcurrentRequests = max(1, concurrentRequests)
        self.init(webhookURL: webhookURL, publicBaseURL: publicBaseURL, http: http)
    }

    public func render(_ delivery: Delivery) throws -> RenderedNotification {
        let post = MattermostPost.render(delivery, publicBaseURL: publicBaseURL)
        let body = try post.jsonBytes()
        return RenderedNotification(
            document: .object([
                "channel": .string("mattermost"),
                "body": try MessageCoding.decode(JSONValue.self, from: body),
            ]),
            messageID: nil,
            summary: ["to": post.channel ?? "(webhook channel)", "text": post.text],
            body: body
        )
    }

    public func send(_ notification: RenderedNotification) async throws -> SendOutcome {
        try await HTTPPostOutcome.of { try await client.postJSON(url: webhookURL, json: notification.body) }
    }
}
