import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

/// The one way in-app deliveries are written: the inbox entry is the
/// delivery itself, so the stage that decides it writes it, inside its own
/// transaction, instead of sending it through a topic to land in this same
/// database.
public enum InboxWriter {
    /// Writes the in-app `deliveries` not written before (for a delivery
    /// given more than once, its highest attempt) in one statement on
    /// `connection`: each delivery's row with its outcome, its log row and,
    /// unless a person stopped the reminder meanwhile (then it is skipped),
    /// its inbox entry, all stamped `now`. Returns what was written.
    @discardableResult
    public static func write(_ deliveries: [Delivery], now: Date, on connection: PostgresConnection) async throws -> [DeliveryRecord] {
        let candidates = PostgresDeliveryRepository.latestAttempts(of: deliveries) { $0 }
        guard !candidates.isEmpty else { return [] }
        var rows: [JSONValue] = []
        for delivery in candidates {
            guard delivery.channel == .frontend else {
                throw StoreError(.unexpectedData, "delivery \(delivery.deliveryID) is for \(delivery.channel.rawValue), not the in-app inbox")
            }
            guard let userID = delivery.recipientUserID else {
                throw StoreError(.unexpectedData, "in-app delivery \(delivery.deliveryID) names no user")
            }
            rows.append(.object([
                "delivery_id": .string(delivery.deliveryID),
                "event_id": .string(delivery.eventID.uuidString.lowercased()),
                "fired_event_id": .string(delivery.firedEventID.uuidString.lowercased()),
                "reminder_id": .integer(Int64(delivery.reminderID)),
                "sag_id": .integer(Int64(delivery.sagID)),
                "user_id": .integer(Int64(userID)),
                "attempt": .integer(Int64(delivery.attempt)),
                "title": .string(delivery.title),
                "message": delivery.message.map(JSONValue.string) ?? .null,
                "priority": .string(delivery.priority.rawValue),
                "case_title": delivery.caseTitle.map(JSONValue.string) ?? .null,
            ]))
        }
        // The claim inserts the row with its outcome (no later update); the
        // log row and the inbox entry follow only for the rows it claimed.
        // "Stopped" is read by key per row: as an EXISTS in the select list
        // PostgreSQL may hash it, reading every reminder for each batch.
        let claimed = try await connection.query(
            """
            WITH x AS (
                SELECT x.*, CASE WHEN (SELECT r.stopped_at IS NOT NULL FROM sag_reminders r WHERE r.id = x.reminder_id)
                                 THEN 'skipped' ELSE 'sent' END AS status
                  FROM jsonb_to_recordset($1::jsonb) AS x(delivery_id TEXT, event_id UUID, fired_event_id UUID, reminder_id INTEGER,
                       sag_id INTEGER, user_id INTEGER, attempt INTEGER, title TEXT, message TEXT, priority TEXT, case_title TEXT)
            ), claimed AS (
                INSERT INTO sag_reminder_deliveries AS d (delivery_id, channel, reminder_id, sag_id, user_id, status, handled_attempt,
                                                          last_event_id)
                SELECT x.delivery_id, 'frontend', x.reminder_id, x.sag_id, x.user_id, x.status, x.attempt, x.event_id
                  FROM x
                 ORDER BY x.delivery_id
                ON CONFLICT (delivery_id) DO UPDATE
                   SET status = EXCLUDED.status, handled_attempt = EXCLUDED.handled_attempt, last_event_id = EXCLUDED.last_event_id,
                       last_error = NULL, updated_at = clock_timestamp()
                 WHERE d.status NOT IN ('sent', 'dry_run', 'skipped', 'dead') AND d.handled_attempt < EXCLUDED.handled_attempt
                RETURNING d.delivery_id, d.status
            ), logs AS (
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, channel, status, reason, attempt, dedupe_key,
                                               created_at)
                SELECT x.reminder_id, x.sag_id, x.fired_event_id, x.user_id, 'frontend', c.status,
                       CASE c.status WHEN 'sent' THEN $3 ELSE $4 END, x.attempt,
                       'deliver:' || x.delivery_id || ':' || x.attempt || ':' || c.status, $2
                  FROM x JOIN claimed c ON c.delivery_id = x.delivery_id
                ON CONFLICT (dedupe_key) DO NOTHING
            ), entries AS (
                INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority,
                                                case_title, created_at)
                SELECT x.delivery_id, x.event_id, x.reminder_id, x.sag_id, x.user_id, x.title, x.message, x.priority, x.case_title, $2
                  FROM x JOIN claimed c ON c.delivery_id = x.delivery_id
                 WHERE c.status = 'sent'
                ON CONFLICT (delivery_id) DO NOTHING
            )
            SELECT delivery_id, status FROM claimed
            """,
            [PostgresJSON(try JSONValue.array(rows).jsonText()), now, inboxReason, PostgresDeliveryRepository.stoppedReason]
        )
        var outcomes: [String: String] = [:]
        for row in claimed { outcomes[try row.decode("delivery_id")] = try row.decode("status") }
        return candidates.compactMap { delivery in
            outcomes[delivery.deliveryID].map {
                DeliveryRecord(delivery: delivery, result: $0 == "sent" ? .sent(messageID: nil) : .skipped(reason: PostgresDeliveryRepository.stoppedReason))
            }
        }
    }

    /// The log reason of a written in-app entry.
    public static let inboxReason = "written to the in-app inbox"
}
