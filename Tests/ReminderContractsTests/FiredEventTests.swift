import Foundation
import ReminderContracts
import Testing
import Timestamps

@Suite("Fired event messages")
struct FiredEventTests {
    @Test("decodes the payload the status trigger writes")
    func decodesTriggerPayload() throws {
        let json = """
            {"sag_id": 7, "event_id": "d944f622-73aa-478c-8544-f82b23c59704", "event_type": "status_change",
             "new_status": "i_gang", "old_status": "ny", "occurred_at": "2026-11-29T11:20:38.360789Z", "reminder_id": 3}
            """
        let event = try MessageCoding.decode(FiredEvent.self, from: Array(json.utf8))
        #expect(event.eventID == UUID(uuidString: "d944f622-73aa-478c-8544-f82b23c59704"))
        #expect(event.eventType == .statusChange)
        #expect(event.reminderID == 3)
        #expect(event.sagID == 7)
        #expect(event.newStatus == "i_gang")
        #expect(Timestamp.format(event.occurredAt) == "2026-11-29T11:20:38.360789Z")
    }

    @Test("round-trips through the message encoding")
    func roundTrip() throws {
        let event = FiredEvent(
            eventID: UUID(), eventType: .timeBased, reminderID: 1, sagID: 2,
            occurredAt: Date(timeIntervalSince1970: 1_800_000_000.25), dueAt: Date(timeIntervalSince1970: 1_800_000_000)
        )
        let decoded = try MessageCoding.decode(FiredEvent.self, from: try MessageCoding.encode(event))
        #expect(decoded == event)
    }

    @Test("a payload without event_id is refused")
    func missingEventID() {
        let json = #"{"event_type": "time_based", "reminder_id": 1, "sag_id": 2, "occurred_at": "2026-11-29T11:20:38Z"}"#
        #expect(throws: DecodingError.self) { try MessageCoding.decode(FiredEvent.self, from: Array(json.utf8)) }
    }

    @Test("an unknown event type is refused")
    func unknownType() {
        let json = #"{"event_id": "d944f622-73aa-478c-8544-f82b23c59704", "event_type": "whim", "reminder_id": 1, "sag_id": 2, "occurred_at": "2026-11-29T11:20:38Z"}"#
        #expect(throws: DecodingError.self) { try MessageCoding.decode(FiredEvent.self, from: Array(json.utf8)) }
    }
}
