import Foundation
import Timestamps

extension Delivery {
    /// The message value as JSON text: the same document `MessageCoding.encode`
    /// gives (keys sorted, absent values left out, dates as `Timestamp.format`),
    /// written by ``JSONText`` through ``JSONValue``. The dispatcher writes one per
    /// delivery, and `JSONEncoder` was its largest cost outside the database.
    public func jsonText() throws -> String {
        var members: [String: JSONValue] = [
            CodingKeys.eventID.rawValue: .string(eventID.uuidString),
            CodingKeys.deliveryID.rawValue: .string(deliveryID),
            CodingKeys.firedEventID.rawValue: .string(firedEventID.uuidString),
            CodingKeys.reminderID.rawValue: .integer(Int64(reminderID)),
            CodingKeys.sagID.rawValue: .integer(Int64(sagID)),
            CodingKeys.channel.rawValue: .string(channel.rawValue),
            CodingKeys.title.rawValue: .string(title),
            CodingKeys.priority.rawValue: .string(priority.rawValue),
            CodingKeys.attempt.rawValue: .integer(Int64(attempt)),
        ]
        members[CodingKeys.caseTitle.rawValue] = caseTitle.map(JSONValue.string)
        members[CodingKeys.recipientUserID.rawValue] = recipientUserID.map { .integer(Int64($0)) }
        members[CodingKeys.recipientEmail.rawValue] = recipientEmail.map(JSONValue.string)
        members[CodingKeys.toAddress.rawValue] = toAddress.map(JSONValue.string)
        members[CodingKeys.mattermostUsername.rawValue] = mattermostUsername.map(JSONValue.string)
        members[CodingKeys.message.rawValue] = message.map(JSONValue.string)
        members[CodingKeys.notBefore.rawValue] = notBefore.map { .string(Timestamp.format($0)) }
        members[CodingKeys.firedAt.rawValue] = firedAt.map { .string(Timestamp.format($0)) }
        members[CodingKeys.webhookSubscriptionID.rawValue] = webhookSubscriptionID.map { .string($0.uuidString) }
        return try JSONValue.object(members).jsonText()
    }
}
