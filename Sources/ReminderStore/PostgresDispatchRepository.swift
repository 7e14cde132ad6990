import Foundation
import Postgres
import ReminderDomain

/// The dispatcher's transaction.
///
/// Correct with several dispatchers: each recipient's rate-limit window is
/// read and written under a transaction-level advisory lock on that recipient,
/// taken in a fixed order so two firings for the same people cannot deadlock.
public struct PostgresDispatchRepository: DispatchRepository {
    let postgres: PostgresClient
    let defaultTimeZone: String

    /// Queries through `postgres`.
    public init(postgres: PostgresClient, defaultTimeZone: String = "Europe/Copenhagen") {
        self.postgres = postgres
        self.defaultTimeZone = defaultTimeZone
    }

    public func dispatch(_ event: FiredEvent, planner: DispatchPlanner, now: Date) async throws -> DispatchOutcome {
        try await postgres.withTransaction { connection in
            guard let reminder = try await loadReminder(event.reminderID, on: connection) else {
                return .unknownReminder
            }
            let eventID = event.eventID.uuidString.lowercased()
            let firstTime = try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, status, reason, payload, dedupe_key, created_at)
                VALUES ($1, $2, $3::uuid, 'fired', $4, $5::jsonb, 'fired:' || $3, $6)
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """,
                [reminder.id, reminder.sagID, eventID, "fired by \(event.eventType.rawValue)",
                 PostgresJSON(String(decoding: try MessageCoding.encode(event), as: UTF8.self)), now]
            )
            guard !firstTime.isEmpty else { return .duplicate }

            let users = try await loadRecipients(reminder: reminder, event: event, now: now, on: connection)
            let candidates = planner.recipients(of: event, reminder: reminder)
            try await lockRateWindows(of: candidates, on: connection)
            let recent = try await recentDispatches(of: candidates, since: now.addingTimeInterval(-planner.rateLimit.window), on: connection)
            let plan = planner.plan(event: event, reminder: reminder, users: users, recentDispatches: recent, now: now)
            try await record(plan, of: event, reminder: reminder, now: now, on: connection)
            return .dispatched(plan)
        }
    }

    private func loadReminder(_ id: Int, on connection: PostgresConnection) async throws -> ReminderSnapshot? {
        let rows = try await connection.query(
            """
            SELECT r.id, r.sag_id, s.titel, r.title, r.message, r.priority, r.notify_email, r.notify_mattermost,
                   r.notify_frontend, r.override_user_preferences, r.recipient_user_ids, r.recipient_emails,
                   r.is_active, r.deleted_at IS NOT NULL AS deleted
              FROM sag_reminders r
              JOIN sag_sager s ON s.id = r.sag_id
             WHERE r.id = $1
            """,
            [id]
        )
        guard let row = rows.first else { return nil }
        return ReminderSnapshot(
            id: try row.decode("id"),
            sagID: try row.decode("sag_id"),
            caseTitle: try row.decode("titel"),
            title: try row.decode("title"),
            message: try row.decode("message", as: String?.self),
            priority: Priority(rawValue: try row.decode("priority")) ?? .normal,
            channelFlags: ChannelFlags(
                email: try row.decode("notify_email", as: Bool?.self),
                mattermost: try row.decode("notify_mattermost", as: Bool?.self),
                frontend: try row.decode("notify_frontend", as: Bool?.self)
            ),
            overrideUserPreferences: try row.decode("override_user_preferences"),
            recipientUserIDs: try row.decode("recipient_user_ids"),
            recipientEmails: try row.decode("recipient_emails"),
            isActive: try row.decode("is_active"),
            isDeleted: try row.decode("deleted")
        )
    }

    private func loadRecipients(
        reminder: ReminderSnapshot, event: FiredEvent, now: Date, on connection: PostgresConnection
    ) async throws -> [RecipientProfile] {
        let ids = event.recipientUserID.map { [$0] } ?? reminder.recipientUserIDs
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT u.user_id, u.email,
                   COALESCE(p.notify_email, FALSE) AS notify_email,
                   COALESCE(p.notify_mattermost, TRUE) AS notify_mattermost,
                   COALESCE(p.notify_frontend, TRUE) AS notify_frontend,
                   p.email_override, p.mattermost_username,
                   COALESCE(p.quiet_hours_enabled, FALSE) AS quiet_hours_enabled,
                   to_char(p.quiet_hours_start, 'HH24:MI') AS quiet_hours_start,
                   to_char(p.quiet_hours_end, 'HH24:MI') AS quiet_hours_end,
                   COALESCE(p.timezone, $3) AS timezone,
                   EXISTS (SELECT 1 FROM sag_reminder_logs l
                            WHERE l.reminder_id = $2 AND l.user_id = u.user_id AND l.status = 'dismissed') AS dismissed,
                   (SELECT max(s.snoozed_until) FROM sag_reminder_snoozes s
                     WHERE s.reminder_id = $2 AND s.user_id = u.user_id AND s.cancelled_at IS NULL) AS snoozed_until
              FROM users u
              LEFT JOIN user_notification_preferences p ON p.user_id = u.user_id
             WHERE u.user_id = ANY($1)
            """,
            [ids, reminder.id, defaultTimeZone]
        )
        return try rows.map { row in
            var quietHours: QuietHours?
            if try row.decode("quiet_hours_enabled", as: Bool.self),
               let start = try row.decode("quiet_hours_start", as: String?.self).flatMap(QuietHours.minutes(from:)),
               let end = try row.decode("quiet_hours_end", as: String?.self).flatMap(QuietHours.minutes(from:)) {
                let clock = WallClock(identifier: try row.decode("timezone")) ?? WallClock(identifier: defaultTimeZone)!
                quietHours = QuietHours(startMinute: start, endMinute: end, clock: clock)
            }
            return RecipientProfile(
                userID: try row.decode("user_id"),
                email: try row.decode("email", as: String?.self),
                preferences: ChannelFlags(
                    email: try row.decode("notify_email"),
                    mattermost: try row.decode("notify_mattermost"),
                    frontend: try row.decode("notify_frontend")
                ),
                emailOverride: try row.decode("email_override", as: String?.self),
                mattermostUsername: try row.decode("mattermost_username", as: String?.self),
                quietHours: quietHours,
                hasDismissed: try row.decode("dismissed"),
                snoozedUntil: try row.decode("snoozed_until", as: Date?.self)
            )
        }
    }

    private func lockRateWindows(of recipients: [RecipientKey], on connection: PostgresConnection) async throws {
        guard !recipients.isEmpty else { return }
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(hashtextextended('reminder-rate:' || key, 0))
              FROM (SELECT key FROM unnest($1::text[]) AS key ORDER BY key) AS ordered
            """,
            [recipients.sorted().map(\.description)]
        )
    }

    private func recentDispatches(
        of recipients: [RecipientKey], since start: Date, on connection: PostgresConnection
    ) async throws -> [RecipientKey: [Date]] {
        var userIDs: [Int] = []
        var addresses: [String] = []
        for recipient in recipients {
            switch recipient {
            case .user(let id): userIDs.append(id)
            case .email(let address): addresses.append(address)
            }
        }
        let rows = try await connection.query(
            """
            SELECT user_id, recipient_email, created_at
              FROM sag_reminder_logs
             WHERE status = 'dispatched'
               AND created_at > $3
               AND (user_id = ANY($1) OR (user_id IS NULL AND recipient_email = ANY($2)))
            """,
            [userIDs, addresses, start]
        )
        var recent: [RecipientKey: [Date]] = [:]
        for row in rows {
            let key: RecipientKey
            if let id = try row.decode("user_id", as: Int?.self) {
                key = .user(id)
            } else {
                key = .email(try row.decode("recipient_email"))
            }
            recent[key, default: []].append(try row.decode("created_at"))
        }
        return recent
    }

    private func record(
        _ plan: DispatchPlan, of event: FiredEvent, reminder: ReminderSnapshot, now: Date, on connection: PostgresConnection
    ) async throws {
        let eventID = event.eventID.uuidString.lowercased()
        if !plan.logEntries.isEmpty {
            let entries: [JSONValue] = plan.logEntries.map { entry in
                .object([
                    "user_id": entry.recipient.flatMap { if case .user(let id) = $0 { .number(Double(id)) } else { nil } } ?? .null,
                    "recipient_email": entry.recipient.flatMap { if case .email(let address) = $0 { .string(address) } else { nil } } ?? .null,
                    "channel": entry.channel.map { .string($0.rawValue) } ?? .null,
                    "status": .string(entry.status.rawValue),
                    "reason": .string(entry.reason),
                    "dedupe_key": .string(entry.dedupeKey(eventID: event.eventID)),
                ])
            }
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason, dedupe_key, created_at)
                SELECT $1, $2, $3::uuid, x.user_id, x.recipient_email, x.channel, x.status, x.reason, x.dedupe_key, $4
                  FROM jsonb_to_recordset($5::jsonb) AS x(user_id INTEGER, recipient_email TEXT, channel TEXT, status TEXT, reason TEXT, dedupe_key TEXT)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                [reminder.id, reminder.sagID, eventID, now, PostgresJSON(try JSONValue.array(entries).jsonText())]
            )
        }

        if !plan.deliveries.isEmpty {
            var rows: [JSONValue] = []
            for delivery in plan.deliveries {
                rows.append(.object([
                    "event_id": .string(delivery.eventID.uuidString.lowercased()),
                    "topic": .string(delivery.channel.deliveryTopic),
                    "message_key": .string(delivery.recipient.messageKey),
                    "payload": .string(String(decoding: try MessageCoding.encode(delivery), as: UTF8.self)),
                    "delivery_id": .string(delivery.deliveryID),
                    "available_at": delivery.notBefore.map { .string(Timestamp.format($0)) } ?? .null,
                ]))
            }
            try await connection.query(
                """
                INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers, available_at)
                SELECT x.event_id, x.topic, x.message_key, x.payload::jsonb,
                       jsonb_build_object('event_id', x.event_id::text, 'delivery_id', x.delivery_id),
                       COALESCE(x.available_at, clock_timestamp())
                  FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, topic TEXT, message_key TEXT, payload TEXT, delivery_id TEXT, available_at TIMESTAMPTZ)
                """,
                [PostgresJSON(try JSONValue.array(rows).jsonText())]
            )
        }

        // The firing's own queue row says how it ended. A rate-limited
        // recipient of a firing that reached others gets a queue row of its own.
        let anyDispatched = plan.logEntries.contains { $0.status == .dispatched }
        let firingStatus = !anyDispatched && !plan.rateLimited.isEmpty ? "rate_limited" : "sent"
        try await connection.query(
            """
            UPDATE sag_reminder_queue
               SET status = $2, processed_at = clock_timestamp(), attempts = attempts + 1
             WHERE event_id = $1::uuid AND status IN ('pending', 'processing')
            """,
            [eventID, firingStatus]
        )
        if anyDispatched, !plan.rateLimited.isEmpty {
            let limited: [JSONValue] = plan.rateLimited.map { recipient in
                switch recipient {
                case .user(let id): .object(["user_id": .number(Double(id)), "recipient_email": .null])
                case .email(let address): .object(["user_id": .null, "recipient_email": .string(address)])
                }
            }
            try await connection.query(
                """
                INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data, recipient_user_id,
                                                recipient_email, status, error_message, processed_at)
                SELECT $1::uuid, $2, $3, $4, $5::jsonb, x.user_id, x.recipient_email, 'rate_limited',
                       'rate limit reached', clock_timestamp()
                  FROM jsonb_to_recordset($6::jsonb) AS x(user_id INTEGER, recipient_email TEXT)
                ON CONFLICT DO NOTHING
                """,
                [eventID, reminder.id, reminder.sagID, event.eventType.rawValue,
                 PostgresJSON(String(decoding: try MessageCoding.encode(event), as: UTF8.self)),
                 PostgresJSON(try JSONValue.array(limited).jsonText())]
            )
        }
    }
}
