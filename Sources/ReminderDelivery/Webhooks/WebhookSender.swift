import Curl
import Foundation
import Metrics
import ReminderContracts
import ReminderDomain
import ReminderStore

/// Calls webhook subscriptions with signed JSON events (libcurl HTTPS).
///
/// Before each call the subscription is read again (a deleted one gets nothing), its
/// URL is checked against ``WebhookTarget`` and its host resolved; every resolved
/// address must pass ``NetworkAddressPolicy`` and the connection is pinned to the one
/// checked (`CURLOPT_RESOLVE`), so a DNS answer that changes between the check and the
/// connection cannot point the call inside the network. Redirects are not followed.
///
/// 2xx is delivered; 429 (with `Retry-After`), 408 and 5xx and transport failures are
/// retried; other statuses, refused targets and deleted subscriptions are permanent.
/// A 410 Gone also deletes the subscription: the receiver says it wants no more calls,
/// so the deliveries behind this one are not sent there either.
/// Neither the secret nor the signature is ever logged; the URL appears in no reason.
public struct WebhookSender: DeliverySender {
    /// Where case links point (`PUBLIC_BASE_URL`).
    public var publicBaseURL: String
    private let targets: any WebhookTargetRepository
    private let secrets: WebhookSecretBox?
    private let allowLoopback: Bool
    private let client: CurlHTTPClient
    private let resolve: @Sendable (String) async throws -> [[UInt8]]
    private let refused: Counter
    private let gone: Counter
    private let now: @Sendable () -> Date

    /// Creates a sender reading subscriptions from `targets` and opening their secrets
    /// with `secrets` (required to send; a dry run renders without it).
    /// `allowLoopback` (`REMINDERS_WEBHOOK_ALLOW_LOOPBACK`, tests only) lets calls reach
    /// this machine, over plain http too.
    public init(
        targets: any WebhookTargetRepository, secrets: WebhookSecretBox?, publicBaseURL: String, allowLoopback: Bool = false,
        concurrentRequests: Int = 8,
        resolve: @escaping @Sendable (String) async throws -> [[UInt8]] = HostResolver.addresses(of:),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        var http = CurlHTTPClientConfiguration()
        http.maxConcurrentRequests = max(1, concurrentRequests)
        self.targets = targets
        self.secrets = secrets
        self.publicBaseURL = publicBaseURL
        self.allowLoopback = allowLoopback
        self.client = CurlHTTPClient(configuration: http)
        self.resolve = resolve
        self.refused = Counter(label: MetricName.webhookTargetsRefused)
        self.gone = Counter(label: MetricName.webhookSubscriptionsGone)
        self.now = now
    }

    public func render(_ delivery: Delivery) throws -> RenderedNotification {
        guard let subscription = delivery.webhookSubscriptionID else {
            throw DeliveryError(.rendering, "a webhook delivery without a subscription")
        }
        let id = WebhookSignature.messageID(deliveryID: delivery.deliveryID)
        let body = try WebhookEvent.body(of: delivery, id: id, publicBaseURL: publicBaseURL)
        var rendered = RenderedNotification(
            document: .object([
                "channel": .string(Channel.webhook.rawValue),
                "webhook_subscription_id": .string(subscription.uuidString.lowercased()),
                "webhook_id": .string(id),
                "body": try MessageCoding.decode(JSONValue.self, from: body),
            ]),
            messageID: id,
            summary: [LogKey.webhookSubscriptionID: subscription.uuidString.lowercased(), LogKey.webhookID: id],
            body: body
        )
        rendered.webhookSubscriptionID = subscription
        return rendered
    }

    public func send(_ notification: RenderedNotification) async throws -> SendOutcome {
        guard let subscription = notification.webhookSubscriptionID, let id = notification.messageID else {
            return .permanent("webhook: not a rendered webhook call")
        }
        let target: WebhookCallTarget
        do {
            guard let found = try await targets.webhookTarget(subscription) else {
                return .permanent("webhook subscription \(subscription.uuidString.lowercased()) was deleted")
            }
            target = found
        } catch {
            return .transient("webhook: cannot read the subscription: \(error)", retryAfter: nil)
        }
        guard let secrets else { return .permanent("webhook: REMINDERS_WEBHOOK_SECRET_KEY is not set; cannot sign") }
        let secret: WebhookSecret
        do {
            secret = try secrets.open(target.sealedSecret, for: target.id)
        } catch {
            return .permanent("webhook: \(error)")
        }
        let checked: WebhookTarget
        let address: [UInt8]
        do {
            checked = try WebhookTarget.parse(target.url, allowLoopback: allowLoopback)
            let resolved = checked.literalAddress == nil ? try await resolve(checked.host) : []
            address = try checked.pinnedAddress(from: resolved, allowLoopback: allowLoopback)
        } catch let error as WebhookTargetError {
            refused.increment()
            return .permanent("webhook target refused: url \(error.reason)")
        } catch let error as CancellationError {
            throw error
        } catch {
            return .transient("webhook: \(error)", retryAfter: nil)
        }

        let timestamp = Int64(now().timeIntervalSince1970)
        let headers = [
            CurlHeader(name: "Content-Type", value: "application/json"),
            CurlHeader(name: WebhookSignature.idHeader, value: id),
            CurlHeader(name: WebhookSignature.timestampHeader, value: String(timestamp)),
            CurlHeader(name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(secret: secret, id: id, timestamp: timestamp, body: notification.body)),
        ]
        var answer: Int?
        let outcome = try await HTTPPostOutcome.of {
            let response = if checked.literalAddress != nil {
                // An address in the URL is what libcurl connects to: nothing to resolve or pin.
                try await client.post(url: target.url, body: notification.body, headers: headers)
            } else {
                try await client.post(
                    url: target.url, body: notification.body, headers: headers,
                    host: checked.host, port: checked.port, pinnedTo: NetworkAddressPolicy.format(address)
                )
            }
            answer = response.status
            return response
        }
        guard answer == 410 else { return outcome }
        do {
            if try await targets.deleteWebhookTarget(subscription) { gone.increment() }
        } catch {
            return .permanent("webhook answered 410 Gone; deleting subscription \(subscription.uuidString.lowercased()) failed: \(error)")
        }
        return .permanent("webhook answered 410 Gone: subscription \(subscription.uuidString.lowercased()) deleted")
    }
}
