import Foundation
import IntegrationSupport
import ReminderDelivery
import ReminderDomain
import Testing

@Suite("Mattermost posts ping no one", .timeLimit(.minutes(1)))
struct MattermostMentionTests {
    @Test("user text with @all, @channel, @here, @someone, links and addresses reaches the webhook with none of them live")
    func noLiveMentions() async throws {
        try await withHTTPSink { sink in
            try await DeliveryBench.with(channels: [.mattermost]) { bench in
                var written = bench.delivery(.mattermost, title: "@all Møde på www.kunde.dk", mattermostUsername: "ann.h")
                written.message = "@channel @here ping @someuser: se http://evil.test/x og mailto:bo@example.test ~town-square"
                written.caseTitle = "@here Server på evil.test"
                let delivery = written
                try await bench.enqueue([delivery])
                let sender = MattermostSender(webhookURL: sink.baseURL + "/hooks/abc123", publicBaseURL: "https://hub.example.test")
                try await bench.run([bench.worker(bench.configuration(.mattermost), sender: sender)]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    let log = try await bench.log(of: delivery.deliveryID)
                    #expect(sent, "\(log)")
                }
                let requests = try await sink.requests()
                try #require(requests.count == 1)
                let body = String(decoding: requests[0].bodyBytes, as: UTF8.self)
                for live in ["@all", "@channel", "@here", "@someuser", "@example", "~town", "http://", "mailto:b", "www.", "evil.test", "kunde.dk"] {
                    #expect(!body.contains(live), "\(live) is live in \(body)")
                }
                let object = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].bodyBytes)) as? [String: Any])
                #expect(object["channel"] as? String == "@ann.h", "the post still goes to the user")
                let text = try #require(object["text"] as? String)
                let scalars = Array(text.unicodeScalars)
                for (index, scalar) in scalars.enumerated() where scalar == "@" {
                    #expect(index + 1 < scalars.count && scalars[index + 1] == MattermostPost.wordJoiner)
                }
                // Read without the invisible joiners, the words are as typed; our own link is intact.
                let visible = text.replacingOccurrences(of: "\u{2060}", with: "")
                #expect(visible.contains("@all Møde på www.kunde.dk"))
                #expect(visible.contains("@channel @here ping @someuser: se http://evil.test/x og mailto:bo@example.test \\~town-square"))
                #expect(text.hasSuffix("](https://hub.example.test/sag/\(bench.sagID))"))
            }
        }
    }
}
