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
        let response: CurlHTTPResponse
        do {
            response = try await client.postJSON(url: webhookURL, json: notification.body)
        } catch let error as CurlError {
            return error.isRetriable || error.code == .timeout || error.code == .transport
                ? .transient("webhook: \(error)", retryAfter: nil)
                : .permanent("webhook: \(error)")
        } catch let error as CancellationError {
            throw error
        } catch {
            return .transient("webhook: \(error)", retryAfter: nil)
        }
        return Self.outcome(status: response.status, retryAfter: response.header("Retry-After"), body: response.body)
    }

    /// What an HTTP answer means for the delivery.
    static func outcome(status: Int, retryAfter: String?, body: [UInt8], now: Date = Date()) -> SendOutcome {
        let bodyText = String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 200..<300:
            return .delivered("webhook answered \(status)")
        case 429:
            let pause = retryAfter.flatMap { RetryAfterHeader.seconds(in: $0, now: now) }
            return .transient("webhook answered 429 (rate limited)", retryAfter: pause)
        case 408, 500..<600:
            return .transient("webhook answered \(status): \(bodyText)", retryAfter: nil)
        default:
            return .permanent("webhook answered \(status): \(bodyText)")
        }
    }
}
