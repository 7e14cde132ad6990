import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

extension PostgresGatewayStore {
    public func calendarItems(userID: Int, limit: Int) async throws -> [CalendarFeedItem] {
        let rows = try await postgres.query(
            """
            SELECT r.id, r.sag_id, r.title, r.message, r.priority, r.trigger_type, r.recurrence_type, r.timezone, r.scheduled_at,
                   COALESCE((r.trigger_config ->> 'hours_before')::float8, 24) AS hours_before, s.deadline, s.titel AS case_title,
                   r.calendar_sequence, r.updated_at
              FROM sag_reminders r
              JOIN sag_sager s ON s.id = r.sag_id AND s.deleted_at IS NULL
             WHERE r.recipient_user_ids @> ARRAY[$1]::integer[]
               AND r.deleted_at IS NULL AND r.stopped_at IS NULL
               AND r.trigger_type IN ('time_based', 'deadline_approaching')
               AND (r.trigger_type = 'time_based' AND r.scheduled_at IS NOT NULL
                    OR r.trigger_type = 'deadline_approaching' AND s.deadline IS NOT NULL)
               AND reminders_can_access_case($1, r.sag_id)
               AND NOT EXISTS (SELECT 1 FROM sag_reminder_logs l
                                WHERE l.reminder_id = r.id AND l.user_id = $1 AND l.status = 'dismissed')
               AND NOT EXISTS (SELECT 1 FROM sag_reminder_snoozes z
                                WHERE z.reminder_id = r.id AND z.user_id = $1 AND z.refired_at IS NULL
                                  AND z.cancelled_at IS NULL AND z.snoozed_until > now())
             ORDER BY r.id
             LIMIT $2
            """,
            [userID, limit]
        )
        return try rows.map { row in
            let timing: CalendarFeedItem.Timing
            if try row.decode("trigger_type", as: String.self) == TriggerType.deadlineApproaching.rawValue {
                timing = .deadline(try row.decode("deadline"), hoursBefore: try row.decode("hours_before"))
            } else {
                let recurrence = RecurrenceType(rawValue: try row.decode("recurrence_type")) ?? .once
                timing = .scheduled(anchor: try row.decode("scheduled_at"), recurrence: recurrence, timeZone: try row.decode("timezone"))
            }
            return CalendarFeedItem(
                reminderID: try row.decode("id"), sagID: try row.decode("sag_id"), title: try row.decode("title"),
                message: try row.decode("message", as: String?.self), caseTitle: try row.decode("case_title", as: String?.self),
                priority: Priority(rawValue: try row.decode("priority")) ?? .normal, timing: timing,
                sequence: try row.decode("calendar_sequence"), updatedAt: try row.decode("updated_at")
            )
        }
    }

    public func calendarFeedTokenHash(userID: Int) async throws -> String? {
        try await postgres.query("SELECT token_sha256 FROM user_calendar_feeds WHERE user_id = $1", [userID])
            .first?.decode("token_sha256", as: String.self)
    }

    public func replaceCalendarFeedToken(userID: Int, hash: String) async throws {
        try await postgres.query(
            """
            INSERT INTO user_calendar_feeds (user_id, token_sha256) VALUES ($1, $2)
            ON CONFLICT (user_id) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256, created_at = now()
            """,
            [userID, hash]
        )
    }

    public func removeCalendarFeedToken(userID: Int) async throws -> Bool {
        !(try await postgres.query("DELETE FROM user_calendar_feeds WHERE user_id = $1 RETURNING user_id", [userID]).isEmpty)
    }
}
