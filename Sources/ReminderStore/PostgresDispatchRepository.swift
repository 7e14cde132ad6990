import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Timestamps

/// The dispatcher's transaction, for a batch of firings at once: every step
/// is one statement for the whole batch, so a batch costs about as many round
/// trips as a single firing.
///
/// Correct with several dispatchers and several batches in flight: each
/// recipient's rate-limit window is read and written under a
/// transaction-level advisory lock on that recipient, taken in a fixed order so
/// two batches for the same people cannot deadlock. The batch is planned at
/// the database's clock read after the last lock, so every notification a
/// rival committed before releasing the locks lies in the window's past.
public struct PostgresDispatchRepository: DispatchRepository {
    let postgres: PostgresClient
    let defaultTimeZone: String
    /// Notes each user notification the rate limit holds back for the held
    /// digest (`REMINDERS_HELD_DIGEST`).
    let recordsHeld: Bool

    /// How the dispatcher's sessions plan: once, by key. Each statement here
    /// finds its rows by key for a batch a few hundred rows at most, so its
    /// plan never depends on the call, and its tables start empty and grow.
    public static let statementPlanning = StatementPlanning.oncePerSessionByKey

    /// Queries through `postgres`; with `recordsHeld`, held-back user
    /// notifications are noted for the scheduler's digest.
    public init(postgres: PostgresClient, defaultTimeZone: String = "Europe/Copenhagen", recordsHeld: Bool = false) {
        self.postgres = postgres
        self.defaultTimeZone = defaultTimeZone
        self.recordsHeld = recordsHeld
    }

    public func park(_ letter: DeadLetter, on deadLetterTopic: String) async throws {
        try await OutboxWriter.insert([
            try DeliveryOutbox.row(for: letter, topic: deadLetterTopic, headers: [MessageHeader.sourceEventID: letter.eventID, MessageHeader.reason: letter.reason]),
        ], through: postgres)
    }

    public func dispatch(_ events: [FiredEvent], planner: DispatchPlanner) async throws -> [DispatchOutcome] {
        guard !events.isEmpty else { return [] }
        return try await postgres.inTransaction { connection in
            let (reminders, escalating) = try await loadReminders(Set(events.map(\.reminderID)), on: connection)
            let known = events.filter { reminders[$0.reminderID] != nil }
            let fresh = try await recordFirings(known, reminders: reminders, on: connection)

            var outcomes: [UUID: DispatchOutcome] = [:]
            for event in events where reminders[event.reminderID] == nil { outcomes[event.eventID] = .unknownReminder }
            var toPlan: [(FiredEvent, ReminderSnapshot)] = []
            for event in known {
                if fresh.contains(event.eventID), outcomes[event.eventID] == nil {
                    toPlan.append((event, reminders[event.reminderID]!))
                    outcomes[event.eventID] = .duplicate // replaced by the plan below
                } else if outcomes[event.eventID] == nil {
                    outcomes[event.eventID] = .duplicate
                }
            }
            guard !toPlan.isEmpty else { return events.map { outcomes[$0.eventID]! } }

            let profiles = try await loadRecipients(of: toPlan, on: connection)
            let candidates = Set(toPlan.flatMap { planner.recipients(of: $0.0, reminder: $0.1) })
            let now = try await lockRateWindows(of: candidates.sorted(), on: connection)
            var recent = try await recentDispatches(
                of: Array(candidates), since: now.addingTimeInterval(-planner.rateLimit.window), newest: planner.rateLimit.limit,
                on: connection
            )

            let webhooks = try await webhookSubscriptions(of: Set(toPlan.map { $0.1.sagID }), on: connection)
            var planned: [(FiredEvent, ReminderSnapshot, DispatchPlan)] = []
            for (event, reminder) in toPlan {
                var plan = planner.plan(
                    event: event, reminder: reminder, users: profiles[reminder.id] ?? [],
                    recentDispatches: recent, now: now
                )
                planner.addWebhooks(
                    to: &plan, event: event, reminder: reminder,
                    subscriptions: (webhooks[nil] ?? []) + (webhooks[reminder.sagID] ?? [])
                )
                // Later firings of this batch see this one's notifications.
                for entry in plan.logEntries where entry.status == .dispatched {
                    if let recipient = entry.recipient { recent[recipient, default: []].append(now) }
                }
                planned.append((event, reminder, plan))
                outcomes[event.eventID] = .dispatched(plan)
            }
            try await record(planned, now: now, on: connection)
            try await scheduleEscalations(planned.filter { escalating.contains($0.1.id) }, on: connection)
            return events.map { outcomes[$0.eventID]! }
        }
    }

    /// The reminders by id, and which of them carry escalation steps.
    private func loadReminders(
        _ ids: Set<Int>, on connection: PostgresConnection
    ) async throws -> (reminders: [Int: ReminderSnapshot], escalating: Set<Int>) {
        let rows = try await connection.query(
            """
            SELECT r.id, r.sag_id, s.titel, r.title, r.message, r.priority, r.notify_email, r.notify_mattermost,
                   r.notify_frontend, r.override_user_preferences, r.recipient_user_ids, r.recipient_emails,
                   r.is_active, r.deleted_at IS NOT NULL OR r.stopped_at IS NOT NULL AS deleted,
                   COALESCE(jsonb_typeof(r.escalation) = 'array' AND jsonb_array_length(r.escalation) > 0, FALSE) AS escalates
              FROM sag_reminders r
              JOIN sag_sager s ON s.id = r.sag_id
             WHERE r.id = ANY($1)
            """,
            [Array(ids)]
        )
        var reminders: [Int: ReminderSnapshot] = [:]
        var escalating: Set<Int> = []
        for row in rows {
            if try row.decode("escalates", as: Bool.self) { escalating.insert(try row.decode("id")) }
            let reminder = ReminderSnapshot(
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
            reminders[reminder.id] = reminder
        }
        return (reminders, escalating)
    }

    /// The escalation steps of each dispatched firing of an escalating
    /// reminder, due their minutes after the firing, in the firing's own
    /// transaction. Snooze re-fires and escalations do not escalate again.
    private func scheduleEscalations(
        _ planned: [(FiredEvent, ReminderSnapshot, DispatchPlan)], on connection: PostgresConnection
    ) async throws {
        let firings: [JSONValue] = planned.compactMap { event, reminder, plan in
            guard event.eventType != .snooze, event.eventType != .escalation,
                  plan.logEntries.contains(where: { $0.status == .dispatched }) else { return nil }
            return .object([
                "event_id": .string(event.eventID.uuidString.lowercased()),
                "reminder_id": .integer(Int64(reminder.id)),
                "fired_at": .string(Timestamp.format(event.occurredAt)),
            ])
        }
        guard !firings.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO sag_reminder_escalations (event_id, step, reminder_id, sag_id, fired_at, due_at)
            SELECT x.event_id, s.ordinality - 1, r.id, r.sag_id, x.fired_at,
                   x.fired_at + make_interval(mins => (s.step ->> 'after_minutes')::integer)
              FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, reminder_id INTEGER, fired_at TIMESTAMPTZ)
              JOIN sag_reminders r ON r.id = x.reminder_id AND jsonb_typeof(r.escalation) = 'array'
             CROSS JOIN LATERAL jsonb_array_elements(r.escalation) WITH ORDINALITY AS s(step, ordinality)
            ON CONFLICT DO NOTHING
            """,
            [PostgresJSON(try JSONValue.array(firings).jsonText())]
        )
    }

    /// The live webhook subscriptions of `cases` and the global ones (under `nil`).
    /// Read in the dispatch's transaction: a subscription deleted before the firing
    /// is dispatched gets nothing.
    private func webhookSubscriptions(of cases: Set<Int>, on connection: PostgresConnection) async throws -> [Int?: [UUID]] {
        let rows = try await connection.query(
            """
            SELECT id, sag_id FROM reminder_webhook_subscriptions
             WHERE deleted_at IS NULL AND (sag_id IS NULL OR sag_id = ANY($1))
            """,
            [Array(cases)]
        )
        var subscriptions: [Int?: [UUID]] = [:]
        for row in rows {
            subscriptions[try row.decode("sag_id", as: Int?.self), default: []].append(try row.decode("id", as: UUID.self))
        }
        return subscriptions
    }

    /// Writes each firing's `fired` row under its unique key; returns the
    /// events seen for the first time (the others were dispatched before).
    private func recordFirings(
        _ events: [FiredEvent], reminders: [Int: ReminderSnapshot], on connection: PostgresConnection
    ) async throws -> Set<UUID> {
        guard !events.isEmpty else { return [] }
        var records: [JSONValue] = []
        for event in events {
            let reminder = reminders[event.reminderID]!
            records.append(.object([
                "reminder_id": .integer(Int64(reminder.id)),
                "sag_id": .integer(Int64(reminder.sagID)),
                "event_id": .string(event.eventID.uuidString.lowercased()),
                "reason": .string("fired by \(event.eventType.rawValue)"),
                "payload": .string(String(decoding: try MessageCoding.encode(event), as: UTF8.self)),
            ]))
        }
        let rows = try await connection.query(
            """
            INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, status, reason, payload, dedupe_key, created_at)
            SELECT x.reminder_id, x.sag_id, x.event_id, 'fired', x.reason, x.payload::jsonb, 'fired:' || x.event_id::text,
                   clock_timestamp()
              FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, sag_id INTEGER, event_id UUID, reason TEXT, payload TEXT)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING event_id
            """,
            [PostgresJSON(try JSONValue.array(records).jsonText())]
        )
        return Set(try rows.map { try $0.decode("event_id", as: UUID.self) })
    }

    /// The user recipients of each reminder, with preferences and their
    /// dismissal and snooze of that reminder.
    private func loadRecipients(
        of firings: [(FiredEvent, ReminderSnapshot)], on connection: PostgresConnection
    ) async throws -> [Int: [RecipientProfile]] {
        var pairs = Set<[Int]>()
        for (event, reminder) in firings {
            for id in event.recipientUserID.map({ [$0] }) ?? reminder.recipientUserIDs { pairs.insert([reminder.id, id]) }
        }
        guard !pairs.isEmpty else { return [:] }
        let input: [JSONValue] = pairs.map { .object(["reminder_id": .integer(Int64($0[0])), "user_id": .integer(Int64($0[1]))]) }
        let rows = try await connection.query(
            """
            SELECT x.reminder_id, u.user_id, u.email, u.is_active,
                   COALESCE(p.notify_email, FALSE) AS notify_email,
                   COALESCE(p.notify_mattermost, TRUE) AS notify_mattermost,
                   COALESCE(p.notify_frontend, TRUE) AS notify_frontend,
                   p.email_override, p.mattermost_username,
                   COALESCE(p.quiet_hours_enabled, FALSE) AS quiet_hours_enabled,
                   to_char(p.quiet_hours_start, 'HH24:MI') AS quiet_hours_start,
                   to_char(p.quiet_hours_end, 'HH24:MI') AS quiet_hours_end,
                   COALESCE(p.timezone, $2) AS timezone,
                   EXISTS (SELECT 1 FROM sag_reminder_logs l
                            WHERE l.reminder_id = x.reminder_id AND l.user_id = u.user_id AND l.status = 'dismissed') AS dismissed,
                   (SELECT max(s.snoozed_until) FROM sag_reminder_snoozes s
                     WHERE s.reminder_id = x.reminder_id AND s.user_id = u.user_id AND s.cancelled_at IS NULL) AS snoozed_until
              FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, user_id INTEGER)
              JOIN users u ON u.user_id = x.user_id
              LEFT JOIN user_notification_preferences p ON p.user_id = u.user_id
             WHERE u.user_id = ANY($3::int[])
            """,
            // The ids as an array as well, for the same reason as the queue update below.
            [PostgresJSON(try JSONValue.array(input).jsonText()), defaultTimeZone, Array(Set(pairs.map { $0[1] }))]
        )
        var profiles: [Int: [RecipientProfile]] = [:]
        for row in rows {
            let quietHours = try row.quietHours(defaultTimeZone: defaultTimeZone)
            profiles[try row.decode("reminder_id"), default: []].append(RecipientProfile(
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
                snoozedUntil: try row.decode("snoozed_until", as: Date?.self),
                isActive: try row.decode("is_active")
            ))
        }
        return profiles
    }

    /// Locks each recipient's rate window, in key order, and returns the
    /// database's clock read after the last lock was granted (per row, so the
    /// maximum follows every lock).
    private func lockRateWindows(of recipients: [RecipientKey], on connection: PostgresConnection) async throws -> Date {
        let rows = try await connection.query(
            """
            SELECT coalesce(max(clock_timestamp()), clock_timestamp()) AS locked_at
              FROM (SELECT pg_advisory_xact_lock(hashtextextended('reminder-rate:' || key, 0))
                      FROM (SELECT key FROM unnest($1::text[]) AS key ORDER BY key) AS ordered) AS locked
            """,
            [recipients.sorted().map(\.description)]
        )
        return try rows[0].decode("locked_at", as: Date.self)
    }

    /// Each recipient's `newest` latest dispatches since `start`: the
    /// limit admits one more only while fewer than `newest` lie in the window,
    /// and the oldest of those is when the window frees, so older ones change
    /// nothing (and with a high limit they were most of what was read). One
    /// read per kind of recipient, each walking its partial index of
    /// dispatches (migration 113) backwards from the newest, per recipient.
    private func recentDispatches(
        of recipients: [RecipientKey], since start: Date, newest: Int, on connection: PostgresConnection
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
            SELECT u.user_id, NULL::text AS recipient_email, l.created_at
              FROM unnest($1::integer[]) AS u(user_id)
             CROSS JOIN LATERAL (SELECT created_at FROM sag_reminder_logs
                                  WHERE status = 'dispatched' AND user_id = u.user_id AND created_at > $3
                                  ORDER BY created_at DESC LIMIT $4) AS l
            UNION ALL
            SELECT NULL::integer, a.address, l.created_at
              FROM unnest($2::text[]) AS a(address)
             CROSS JOIN LATERAL (SELECT created_at FROM sag_reminder_logs
                                  WHERE status = 'dispatched' AND user_id IS NULL AND recipient_email = a.address
                                    AND created_at > $3
                                  ORDER BY created_at DESC LIMIT $4) AS l
            """,
            [userIDs, addresses, start, newest]
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

    private func record(_ planned: [(FiredEvent, ReminderSnapshot, DispatchPlan)], now: Date, on connection: PostgresConnection) async throws {
        var logRows: [JSONValue] = []
        var queueStatuses: [JSONValue] = []
        var limitedRows: [JSONValue] = []
        var heldRows: [JSONValue] = []
        for (event, reminder, plan) in planned {
            let eventID = event.eventID.uuidString.lowercased()
            let common: [String: JSONValue] = [
                "reminder_id": .integer(Int64(reminder.id)), "sag_id": .integer(Int64(reminder.sagID)), "event_id": .string(eventID),
            ]
            for entry in plan.logEntries {
                logRows.append(.object(common.merging([
                    "user_id": entry.recipient.flatMap { if case .user(let id) = $0 { .integer(Int64(id)) } else { nil } } ?? .null,
                    "recipient_email": entry.recipient.flatMap { if case .email(let address) = $0 { .string(address) } else { nil } } ?? .null,
                    "channel": entry.channel.map { .string($0.rawValue) } ?? .null,
                    "status": .string(entry.status.rawValue),
                    "reason": .string(entry.reason),
                    "dedupe_key": .string(entry.dedupeKey(eventID: event.eventID)),
                ]) { $1 }))
            }
            // The firing's own queue row says how it ended. A rate-limited
            // recipient of a firing that reached others gets a queue row of its own.
            let anyDispatched = plan.logEntries.contains { $0.status == .dispatched }
            let status = !anyDispatched && !plan.rateLimited.isEmpty ? "rate_limited" : "sent"
            queueStatuses.append(.object(["event_id": .string(eventID), "status": .string(status)]))
            if recordsHeld {
                for case .user(let id) in plan.rateLimited {
                    heldRows.append(.object(common.merging(["user_id": .integer(Int64(id))]) { $1 }))
                }
            }
            if anyDispatched {
                let eventData = JSONValue.string(String(decoding: try MessageCoding.encode(event), as: UTF8.self))
                for recipient in plan.rateLimited {
                    var row = common
                    row["event_type"] = .string(event.eventType.rawValue)
                    row["event_data"] = eventData
                    switch recipient {
                    case .user(let id): row["user_id"] = .integer(Int64(id)); row["recipient_email"] = .null
                    case .email(let address): row["user_id"] = .null; row["recipient_email"] = .string(address)
                    }
                    limitedRows.append(.object(row))
                }
            }
        }
        if !logRows.isEmpty {
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason, dedupe_key, created_at)
                SELECT x.reminder_id, x.sag_id, x.event_id, x.user_id, x.recipient_email, x.channel, x.status, x.reason, x.dedupe_key, $2
                  FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, sag_id INTEGER, event_id UUID, user_id INTEGER,
                       recipient_email TEXT, channel TEXT, status TEXT, reason TEXT, dedupe_key TEXT)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                [PostgresJSON(try JSONValue.array(logRows).jsonText()), now]
            )
        }
        try await DeliveryHandoff.handOn(planned.flatMap(\.2.deliveries), now: now, on: connection)
        // The event ids as an array too: joined only with the record set, the
        // planner scans the whole queue (it cannot see how few rows the set
        // holds); `= ANY` lets it use the unique index on event_id.
        try await connection.query(
            """
            UPDATE sag_reminder_queue q
               SET status = x.status, processed_at = clock_timestamp(), attempts = q.attempts + 1
              FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, status TEXT)
             WHERE q.event_id = ANY($2::uuid[]) AND q.event_id = x.event_id AND q.status IN ('pending', 'processing')
            """,
            [PostgresJSON(try JSONValue.array(queueStatuses).jsonText()), planned.map { $0.0.eventID }]
        )
        if !heldRows.isEmpty {
            try await connection.query(
                """
                INSERT INTO sag_reminder_held (event_id, user_id, reminder_id, sag_id, held_at, next_attempt_at)
                SELECT x.event_id, x.user_id, x.reminder_id, x.sag_id, $2, $2
                  FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, user_id INTEGER, reminder_id INTEGER, sag_id INTEGER)
                ON CONFLICT DO NOTHING
                """,
                [PostgresJSON(try JSONValue.array(heldRows).jsonText()), now]
            )
        }
        if !limitedRows.isEmpty {
            try await connection.query(
                """
                INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data, recipient_user_id,
                                                recipient_email, status, error_message, processed_at)
                SELECT x.event_id, x.reminder_id, x.sag_id, x.event_type, x.event_data::jsonb, x.user_id, x.recipient_email,
                       'rate_limited', 'rate limit reached', clock_timestamp()
                  FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, reminder_id INTEGER, sag_id INTEGER, event_type TEXT,
                       event_data TEXT, user_id INTEGER, recipient_email TEXT)
                ON CONFLICT DO NOTHING
                """,
                [PostgresJSON(try JSONValue.array(limitedRows).jsonText())]
            )
        }
    }
}
