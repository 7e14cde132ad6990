import Foundation
import ReminderContracts
import Testing

@Suite("Delivery as JSON text")
struct DeliveryJSONTests {
    static func randomText(_ random: inout SystemRandomNumberGenerator) -> String {
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "æ", "🙂", "e\u{301}", "{", "<"]
        return (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func randomDelivery(_ random: inout SystemRandomNumberGenerator) -> Delivery {
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &random) ? value : nil }
        let date = Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_000_000_000_000, using: &random)) / 1000)
        return Delivery(
            eventID: UUID(), deliveryID: randomText(&random), firedEventID: UUID(),
            reminderID: Int.random(in: 1...Int(Int32.max), using: &random), sagID: Int.random(in: 1...99_999, using: &random),
            caseTitle: maybe(randomText(&random)), channel: Channel.allCases.randomElement(using: &random)!,
            recipientUserID: maybe(Int.random(in: 1...99_999, using: &random)), recipientEmail: maybe(randomText(&random)),
            toAddress: maybe(randomText(&random)), mattermostUsername: maybe(randomText(&random)), title: randomText(&random),
            message: maybe(randomText(&random)), priority: Priority.allCases.randomElement(using: &random)!,
            notBefore: maybe(date), attempt: Int.random(in: 0...20, using: &random), firedAt: maybe(date),
            webhookSubscriptionID: maybe(UUID())
        )
    }

    @Test("the same document as MessageCoding.encode, and it decodes back to the delivery, for random deliveries")
    func sameDocumentAsTheEncoder() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let delivery = Self.randomDelivery(&random)
            let text = try delivery.jsonText()
            let encoded = try MessageCoding.encode(delivery)
            #expect(try MessageCoding.decode(Delivery.self, from: Array(text.utf8)) == delivery)
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == JSONDecoder().decode(JSONValue.self, from: Data(encoded)))
        }
    }

    @Test("byte for byte what the encoder writes when the text needs no escaping choices")
    func sameBytesForPlainText() throws {
        let delivery = Delivery(
            eventID: UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!, deliveryID: "abc:7:email", firedEventID: UUID(),
            reminderID: 7, sagID: 42, caseTitle: "Sag / 42", channel: .email, recipientUserID: 3, recipientEmail: "a@b.dk",
            toAddress: "a@b.dk", mattermostUsername: nil, title: "Frist i dag", message: nil, priority: .high,
            notBefore: Date(timeIntervalSince1970: 1_774_747_800.123456), attempt: 2, firedAt: nil, webhookSubscriptionID: nil
        )
        #expect(Array(try delivery.jsonText().utf8) == (try MessageCoding.encode(delivery)))
    }
}
