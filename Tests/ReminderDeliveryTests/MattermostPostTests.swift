import Foundation
@testable import ReminderDelivery
import ReminderContracts
import ReminderDomain
import Testing

@Suite("Mattermost post")
struct MattermostPostTests {
    static func delivery(username: String? = "ann.h", title: String = "Ring *nu*", priority: Priority = .high) -> Delivery {
        Delivery(
            eventID: UUID(), deliveryID: "x:user:1:mattermost", firedEventID: UUID(), reminderID: 1, sagID: 55,
            caseTitle: "Printer [2. sal]", channel: .mattermost, recipientUserID: 1, recipientEmail: nil, toAddress: nil,
            mattermostUsername: username, title: title, message: "Kunden venter", priority: priority, notBefore: nil
        )
    }

    @Test("payload: text with title, message, priority and case link; channel @username")
    func payload() throws {
        let post = MattermostPost.render(Self.delivery(), publicBaseURL: "https://hub.test")
        let json = try JSONSerialization.jsonObject(with: Data(try post.jsonBytes())) as? [String: Any]
        let object = try #require(json)
        #expect(Set(object.keys) == ["text", "channel"])
        #expect(object["channel"] as? String == "@ann.h")
        let text = try #require(object["text"] as? String)
        #expect(text.contains("Påmindelse: Ring \\*nu\\*"))
        #expect(text.contains("Kunden venter"))
        #expect(text.contains("**Prioritet:** høj"))
        #expect(text.contains("[Sag 55: Printer \\[2. sal\\]](https://hub.test/sag/55)"))
    }

    @Test("without a Mattermost username the post goes to the webhook's channel")
    func noUsername() throws {
        for username in [nil, "", "  "] as [String?] {
            let post = MattermostPost.render(Self.delivery(username: username), publicBaseURL: "https://hub.test")
            #expect(post.channel == nil)
            let object = try JSONSerialization.jsonObject(with: Data(try post.jsonBytes())) as? [String: Any]
            #expect(object?["channel"] == nil)
        }
        #expect(MattermostPost.render(Self.delivery(username: "@bo"), publicBaseURL: "x").channel == "@bo")
    }

    @Test("HTTP answers: 2xx delivered, 429 passes with Retry-After, 408/5xx pass, other 4xx are permanent")
    func outcomes() {
        func response(_ status: Int, retryAfter: String? = nil) -> SendOutcome {
            HTTPPostOutcome.outcome(status: status, retryAfter: retryAfter, body: Array("nope".utf8))
        }
        #expect((response(200)) == .delivered("webhook answered 200"))
        #expect(response(429, retryAfter: "3")
            == .transient("webhook answered 429 (rate limited)", retryAfter: 3))
        #expect((response(429)) == .transient("webhook answered 429 (rate limited)", retryAfter: nil))
        #expect((response(503)) == .transient("webhook answered 503: nope", retryAfter: nil))
        #expect((response(408)) == .transient("webhook answered 408: nope", retryAfter: nil))
        #expect((response(400)) == .permanent("webhook answered 400: nope"))
        #expect((response(404)) == .permanent("webhook answered 404: nope"))
    }
}
