import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Timestamps

/// The scheduler's queries. Due reminders are claimed with
/// `FOR UPDATE SKIP LOCKED`, so several schedulers never fire one twice.
public struct PostgresSchedulerRepository: SchedulerRepository {
    let postgres: PostgresClient
    let defaultTimeZone: String
    /// The rate limit held digests count against; `nil` when digests are off.
    let heldDigestLimit: RateLimitWindow?

    /// Queries through `postgres`; reminders without a valid time zone use
    /// `defaultTimeZone`. With `heldDigestLimit` the scheduler also sends held
    /// digests (`REMINDERS_HELD_DIGEST`) within that limit.
    public init(postgres: PostgresClient, defaultTimeZone: String = "Europe/Copenhagen", heldDigestLimit: RateLimitWindow? = nil) {
        self.postgres = postgres
        self.defaultTimeZone = defaultTimeZone
        self.heldDigestLimit = heldDigestLimit
    }

    public func releaseDueDigests(limit: Int) async throws -> [HeldDigestRelease] {
        guard let heldDigestLimit else { return [] }
        return try await releaseDueDigests(limit: limit, rateLimit: heldDigestLimit)
    }

    public func fireDueReminders(limit: Int, now: Date) async throws -> [ScheduledFiring] {
        try await postgres.inTransaction { connection in
            let due = try await connection.query(
                """
                SELECT id, sag_id, trigger_type, recurrence_type, timezone, scheduled_at, next_check_at
                  FROM sag_reminders
                 WHERE is_active
                   AND deleted_at IS NULL
                   AND trigger_type IN ('time_based', 'deadline_approaching')
                   -- now() (the transaction's start) rather than clock_timestamp():
                   -- a stable bound lets the due index stop at the first future row
                   -- instead of filtering every stored reminder.
                   AND next_check_at <= now()
                 ORDER BY next_check_at
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED
                """,
                [limit]
            )
            guard !due.isEmpty else { return [] }
            var firings: [ScheduledFiring] = []
            var eventTypes: [String] = []
            var records: [[String: JSONValue]] = []
            for row in due {
                let id: Int = try row.decode("id")
                let dueAt: Date = try row.decode("next_check_at")
                let triggerType: String = try row.decode("trigger_type")
                let isTimeBased = TriggerType(rawValue: triggerType) == .timeBased
                var next: Date?
                if isTimeBased {
                    let type = RecurrenceType(rawValue: try row.decode("recurrence_type")) ?? .once
                    let zone: String = try row.decode("timezone")
                    let clock = WallClock(identifier: zone) ?? WallClock(identifier: defaultTimeZone)!
                    let anchor = try row.decode("scheduled_at", as: Date?.self) ?? dueAt
                    next = Recurrence(type: type, anchor: anchor, clock: clock).firstOccurrence(after: max(now, dueAt))
                }
                // A deadline reminder waits, still active, for its deadline to move.
                let deactivate = isTimeBased && next == nil
                let firing = ScheduledFiring(reminderID: id, eventID: UUID(), dueAt: dueAt, nextCheckAt: next)
                firings.append(firing)
                eventTypes.append(triggerType)
                records.append([
                    "reminder_id": .integer(Int64(id)),
                    "sag_id": .integer(Int64(try row.decode("sag_id", as: Int.self))),
                    "event_id": .string(firing.eventID.uuidString.lowercased()),
                    "event_type": .string(triggerType),
                    "due_at": .string(Timestamp.format(dueAt)),
                    "next_check_at": next.map { .string(Timestamp.format($0)) } ?? .null,
                    "deactivate": .bool(deactivate),
                ])
            }
            let payloads = try Self.payloads(
                try await connection.query(Self.fireSQL, [PostgresJSON(try JSONValue.array(records.map(JSONValue.object)).jsonText())])
            )
            // In firing order: the relay publishes in outbox id order.
            try await OutboxWriter.insert(try zip(firings, eventTypes).map { firing, eventType in
                OutboxRow(
                    eventID: firing.eventID, topic: TopicName.fired, key: String(firing.reminderID),
                    payload: try Self.payload(of: firing.eventID, in: payloads), headers: ["event_type": eventType]
                )
            }, on: connection)
            return firings
        }
    }

    public func fireDueSnoozes(limit: Int) async throws -> Int {
        try await postgres.inTransaction { connection in
            let rows = try await connection.query(Self.snoozeSQL, [limit])
            try await OutboxWriter.insert(try rows.map { row in
                OutboxRow(
                    eventID: try row.decode("event_id"), topic: TopicName.fired, key: String(try row.decode("reminder_id", as: Int.self)),
                    payload: try row.decode("payload"), headers: ["event_type": "snooze"]
                )
            }, on: connection)
            return rows.count
        }
    }

    public func rearmReopenedReminders(limit: Int, now: Date) async throws -> [ScheduledFiring] {
        try await postgres.inTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT id, recurrence_type, timezone, scheduled_at, next_check_at
                  FROM sag_reminders
                 WHERE rearm_pending
                 ORDER BY id
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED
                """,
                [limit]
            )
            var rearmed: [ScheduledFiring] = []
            var records: [JSONValue] = []
            for row in rows {
                let id: Int = try row.decode("id")
                let type = RecurrenceType(rawValue: try row.decode("recurrence_type")) ?? .once
                let clock = WallClock(identifier: try row.decode("timezone")) ?? WallClock(identifier: defaultTimeZone)!
                let previous = try row.decode("next_check_at", as: Date?.self)
                let anchor = try row.decode("scheduled_at", as: Date?.self) ?? previous ?? now
                let next = CaseClosingStatuses.rearmTime(of: Recurrence(type: type, anchor: anchor, clock: clock), reopenedAt: now)
                rearmed.append(ScheduledFiring(reminderID: id, eventID: UUID(), dueAt: previous ?? now, nextCheckAt: next))
                records.append(.object([
                    "id": .integer(Int64(id)),
                    "next_check_at": next.map { .string(Timestamp.format($0)) } ?? .null,
                ]))
            }
            guard !records.isEmpty else { return [] }
            try await connection.query(
                """
                UPDATE sag_reminders r
                   SET next_check_at = x.next_check_at,
                       is_active = x.next_check_at IS NOT NULL AND r.deleted_at IS NULL,
                       rearm_pending = FALSE,
                       updated_at = now()
                  FROM jsonb_to_recordset($1::jsonb) AS x(id INTEGER, next_check_at TIMESTAMPTZ)
                 WHERE r.id = x.id
                """,
                [PostgresJSON(try JSONValue.array(records).jsonText())]
            )
            return rearmed
        }
    }

    public func storeClosingStatuses(_ statuses: Set<String>) async throws {
        try await postgres.inTransaction { connection in
            try await connection.query(
                "DELETE FROM sag_reminder_closing_statuses WHERE NOT (status = ANY($1::text[]))", [statuses.sorted()]
            )
            try await connection.query(
                """
                INSERT INTO sag_reminder_closing_statuses (status)
                SELECT unnest($1::text[])
                ON CONFLICT (status) DO NOTHING
                """,
                [statuses.sorted()]
            )
        }
    }

    /// The payloads the firing statement stamped, by event id.
    private static func payloads(_ rows: PostgresRows) throws -> [UUID: String] {
        var payloads: [UUID: String] = [:]
        for row in rows { payloads[try row.decode("event_id")] = try row.decode("payload") }
        return payloads
    }

    private static func payload(of eventID: UUID, in payloads: [UUID: String]) throws -> String {
        guard let payload = payloads[eventID] else { throw StoreError(.unexpectedData, "no payload stamped for firing \(eventID)") }
        return payload
    }

    public func nextDueTime() async throws -> Date? {
        let rows = try await postgres.query(
            """
            SELECT LEAST(
                (SELECT min(next_check_at) FROM sag_reminders
                  WHERE is_active AND deleted_at IS NULL
                    AND trigger_type IN ('time_based', 'deadline_approaching')),
                (SELECT min(snoozed_until) FROM sag_reminder_snoozes
                  WHERE refired_at IS NULL AND cancelled_at IS NULL),
                (SELECT min(next_attempt_at) FROM sag_reminder_held WHERE released_at IS NULL AND $1),
                (SELECT min(due_at) FROM sag_reminder_escalations WHERE state = 'pending')
            ) AS next
            """,
            [heldDigestLimit != nil]
        )
        return try rows.first?.decode("next", as: Date?.self)
    }

    /// Queue row and schedule update for every firing, in one statement that
    /// returns each firing's payload for the outbox (written through
    /// ``OutboxWriter`` in the same transaction). The payload matches the
    /// status trigger's.
    static let fireSQL = """
        WITH fired AS (
            SELECT *
              FROM jsonb_to_recordset($1::jsonb) AS f(
                   reminder_id INTEGER, sag_id INTEGER, event_id UUID, event_type TEXT,
                   due_at TIMESTAMPTZ, next_check_at TIMESTAMPTZ, deactivate BOOLEAN)
        ), stamped AS (
            SELECT f.*, jsonb_build_object(
                       'event_id', f.event_id,
                       'event_type', f.event_type,
                       'reminder_id', f.reminder_id,
                       'sag_id', f.sag_id,
                       'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'due_at', to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                   ) AS payload
              FROM fired f
        ), queued AS (
            INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data)
            SELECT event_id, reminder_id, sag_id, event_type, payload FROM stamped
        ), rescheduled AS (
            UPDATE sag_reminders r
               SET next_check_at = f.next_check_at,
                   is_active = NOT f.deactivate,
                   last_fired_at = clock_timestamp(),
                   fire_count = r.fire_count + 1,
                   updated_at = now()
              FROM fired f
             WHERE r.id = f.reminder_id
        )
        SELECT event_id, payload::text AS payload FROM stamped
        """

    /// Re-fires due snoozes for their recipient; a snooze of a reminder
    /// deleted meanwhile is cancelled instead.
    static let snoozeSQL = """
        WITH due AS (
            SELECT s.id, s.reminder_id, s.user_id, s.snoozed_until, r.sag_id, r.deleted_at IS NOT NULL AS deleted,
                   gen_random_uuid() AS event_id
              FROM sag_reminder_snoozes s
              JOIN sag_reminders r ON r.id = s.reminder_id
             WHERE s.refired_at IS NULL AND s.cancelled_at IS NULL AND s.snoozed_until <= now()
             ORDER BY s.snoozed_until
             LIMIT $1
               FOR UPDATE OF s SKIP LOCKED
        ), live AS (
            SELECT due.*, jsonb_build_object(
                       'event_id', event_id,
                       'event_type', 'snooze',
                       'reminder_id', reminder_id,
                       'sag_id', sag_id,
                       'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'recipient_user_id', user_id
                   ) AS payload
              FROM due
             WHERE NOT deleted
        ), queued AS (
            INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data, recipient_user_id)
            SELECT event_id, reminder_id, sag_id, 'snooze', payload, user_id FROM live
        ), marked AS (
            UPDATE sag_reminder_snoozes s
               SET refired_at = CASE WHEN due.deleted THEN NULL ELSE clock_timestamp() END,
                   refired_event_id = CASE WHEN due.deleted THEN NULL ELSE due.event_id END,
                   cancelled_at = CASE WHEN due.deleted THEN clock_timestamp() END
              FROM due
             WHERE s.id = due.id
        )
        SELECT event_id, reminder_id, payload::text AS payload FROM live ORDER BY snoozed_until
        """
}
