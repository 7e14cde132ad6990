import Foundation
import ReminderContracts
import ReminderDomain
import Timestamps

/// The JSON body of a webhook call: the Standard Webhooks event shape with our id.
///
/// ```json
/// {"data": {"case_title": "…", "case_url": "…", "fired_at": "…", "fired_event_id": "…", "message": "…",
///           "priority": "normal", "reminder_id": 7, "sag_id": 42, "title": "…"},
///  "id": "msg_…", "timestamp": "2026-11-30T06:00:00.000000Z", "type": "reminder.fired"}
/// ```
///
/// The body depends only on the delivery (the firing and the subscription), so every
/// attempt sends the same bytes under the same `webhook-id`; only `webhook-timestamp`
/// (and with it the signature) is the attempt's own.
public enum WebhookEvent {
    /// The event type of a reminder's firing.
    public static let firedType = "reminder.fired"

    /// The body's bytes (keys sorted, no insignificant white space).
    public static func body(of delivery: Delivery, id: String, publicBaseURL: String) throws -> [UInt8] {
        let content = NotificationContent(delivery, publicBaseURL: publicBaseURL)
        let firedAt = delivery.firedAt.map { JSONValue.string(Timestamp.format($0)) } ?? .null
        let document: JSONValue = .object([
            "id": .string(id),
            "type": .string(firedType),
            "timestamp": firedAt,
            "data": .object([
                "fired_event_id": .string(delivery.firedEventID.uuidString.lowercased()),
                "reminder_id": .integer(Int64(delivery.reminderID)),
                "sag_id": .integer(Int64(delivery.sagID)),
                "case_title": delivery.caseTitle.map(JSONValue.string) ?? .null,
                "case_url": .string(content.caseURL),
                "title": .string(delivery.title),
                "message": delivery.message.map(JSONValue.string) ?? .null,
                "priority": .string(delivery.priority.rawValue),
                "fired_at": firedAt,
            ]),
        ])
        return Array(try document.jsonText().utf8)
    }
}
