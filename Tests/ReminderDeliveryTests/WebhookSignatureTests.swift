import Foundation
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing
@testable import ReminderDelivery

@Suite("Webhook signatures (Standard Webhooks) and the event body")
struct WebhookSignatureTests {
    /// The test vector the Standard Webhooks specification's libraries publish.
    @Test("the specification's published test vector")
    func publishedVector() throws {
        let secret = try WebhookSecret(text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = WebhookSignature.sign(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(WebhookSignature.verify(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body,
                                        header: "v1,bm90LWl0 " + signature))
    }

    @Test("any change of id, timestamp, body or secret breaks the signature")
    func tamper() throws {
        let secret = try WebhookSecret(text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"a":1}"#.utf8)
        let header = WebhookSignature.sign(secret: secret, id: "msg_1", timestamp: 100, body: body)
        #expect(WebhookSignature.verify(secret: secret, id: "msg_1", timestamp: 100, body: body, header: header))
        #expect(!WebhookSignature.verify(secret: secret, id: "msg_2", timestamp: 100, body: body, header: header))
        #expect(!WebhookSignature.verify(secret: secret, id: "msg_1", timestamp: 101, body: body, header: header))
        #expect(!WebhookSignature.verify(secret: secret, id: "msg_1", timestamp: 100, body: Array(#"{"a":2}"#.utf8), header: header))
        #expect(!WebhookSignature.verify(secret: WebhookSecret.generate(), id: "msg_1", timestamp: 100, body: body, header: header))
        #expect(!WebhookSignature.verify(secret: secret, id: "msg_1", timestamp: 100, body: body, header: "v2," + header.dropFirst(3)))
    }

    @Test("the webhook-id is stable per delivery id and differs between deliveries")
    func messageID() {
        let a = WebhookSignature.messageID(deliveryID: "x:webhook-1:webhook")
        #expect(a == WebhookSignature.messageID(deliveryID: "x:webhook-1:webhook"))
        #expect(a != WebhookSignature.messageID(deliveryID: "x:webhook-2:webhook"))
        #expect(a.hasPrefix("msg_") && a.count == 36)
    }

    static func delivery(subscription: UUID? = UUID()) -> Delivery {
        Delivery(
            eventID: UUID(), deliveryID: "f:webhook-s:webhook", firedEventID: UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!,
            reminderID: 7, sagID: 42, caseTitle: "Printer", channel: .webhook, recipientUserID: nil, recipientEmail: nil, toAddress: nil,
            mattermostUsername: nil, title: "Follow up", message: "Call <b>them</b>", priority: .high, notBefore: nil,
            firedAt: Date(timeIntervalSince1970: 1_800_000_000), webhookSubscriptionID: subscription
        )
    }

    @Test("the body carries id, type, time and the firing; the same delivery renders the same bytes")
    func body() throws {
        let sender = WebhookSender(targets: Targets(target: nil), secrets: nil, publicBaseURL: "https://hub.example.test")
        let delivery = Self.delivery()
        let first = try sender.render(delivery)
        var retry = delivery
        retry.eventID = UUID()
        retry.attempt = 3
        let second = try sender.render(retry)
        #expect(first.body == second.body)
        #expect(first.messageID == second.messageID)
        let document = try MessageCoding.decode(JSONValue.self, from: first.body)
        guard case .object(let members) = document, case .object(let data)? = members["data"] else {
            Issue.record("not an object: \(document)")
            return
        }
        #expect(members["id"] == .string(first.messageID!))
        #expect(members["type"] == .string("reminder.fired"))
        #expect(members["timestamp"] == .string("2027-01-15T08:00:00.000000Z"))
        #expect(data["reminder_id"] == .integer(7))
        #expect(data["sag_id"] == .integer(42))
        #expect(data["title"] == .string("Follow up"))
        #expect(data["priority"] == .string("high"))
        #expect(data["case_url"] == .string("https://hub.example.test/sag/42"))
        #expect(throws: DeliveryError.self) { try sender.render(Self.delivery(subscription: nil)) }
    }

    struct Targets: WebhookTargetRepository {
        var target: WebhookCallTarget?
        func webhookTarget(_ id: UUID) async throws -> WebhookCallTarget? { target }
        func deleteWebhookTarget(_ id: UUID) async throws -> Bool { false }
    }

    static let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    static func sender(url: String, resolved: [[UInt8]], allowLoopback: Bool = false) throws -> (WebhookSender, RenderedNotification) {
        let box = try WebhookSecretBox(base64Key: key)
        let delivery = delivery()
        let id = delivery.webhookSubscriptionID!
        let target = WebhookCallTarget(id: id, url: url, sealedSecret: try box.seal(WebhookSecret.generate(), for: id))
        let sender = WebhookSender(
            targets: Targets(target: target), secrets: box, publicBaseURL: "https://hub.example.test", allowLoopback: allowLoopback,
            resolve: { _ in resolved }
        )
        return (sender, try sender.render(delivery))
    }

    @Test("a target that resolves inside the network is refused before connecting, for good", arguments: [
        ("https://hooks.example.test/x", [[10, 0, 0, 5]] as [[UInt8]]),
        ("https://hooks.example.test/x", [[93, 184, 216, 34], [169, 254, 169, 254]]),
        ("https://hooks.example.test/x", [[127, 0, 0, 1]]),
        ("https://169.254.169.254/latest/meta-data", []),
        ("http://hooks.example.test/x", [[93, 184, 216, 34]]),
    ])
    func refusedAtSend(url: String, resolved: [[UInt8]]) async throws {
        let (sender, rendered) = try Self.sender(url: url, resolved: resolved)
        let outcome = try await sender.send(rendered)
        guard case .permanent(let reason) = outcome else {
            Issue.record("expected a permanent refusal, got \(outcome)")
            return
        }
        #expect(reason.contains("refused"))
    }

    @Test("a deleted subscription is a permanent failure; no key, no send")
    func deletedOrNoKey() async throws {
        let sender = WebhookSender(targets: Targets(target: nil), secrets: try WebhookSecretBox(base64Key: Self.key), publicBaseURL: "https://h")
        let rendered = try sender.render(Self.delivery())
        guard case .permanent(let reason) = try await sender.send(rendered) else { Issue.record("not permanent"); return }
        #expect(reason.contains("deleted"))
    }
}

@Suite("Webhook secrets sealed at rest")
struct WebhookSecretBoxTests {
    @Test("seal and open round-trip; another row's id, another key or a changed byte does not open")
    func roundTrip() throws {
        let box = try WebhookSecretBox(base64Key: WebhookSignatureTests.key)
        let secret = WebhookSecret.generate()
        let id = UUID()
        let sealed = try box.seal(secret, for: id)
        #expect(sealed.hasPrefix("v1."))
        #expect(!sealed.contains(Data(secret.bytes).base64EncodedString()))
        #expect(try box.open(sealed, for: id) == secret)
        #expect(throws: StoreError.self) { try box.open(sealed, for: UUID()) }
        let other = try WebhookSecretBox(base64Key: Data(repeating: 9, count: 32).base64EncodedString())
        #expect(throws: StoreError.self) { try other.open(sealed, for: id) }
        var bytes = Array(sealed.utf8)
        bytes[10] = bytes[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: StoreError.self) { try box.open(String(decoding: bytes, as: UTF8.self), for: id) }
    }

    @Test("the key must be 32 bytes of base64", arguments: ["", "short", Data(repeating: 1, count: 16).base64EncodedString()])
    func badKey(key: String) {
        #expect(throws: StoreError.self) { try WebhookSecretBox(base64Key: key) }
    }
}
