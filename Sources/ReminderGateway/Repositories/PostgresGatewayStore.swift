import Foundation
import Postgres
import ReminderDomain
import Synchronization

/// The gateway's queries against PostgreSQL: one type implementing every repository protocol,
/// since they share the pool and the row decoding.
struct PostgresGatewayStore: UserDirectory, ReminderRepository, InboxRepository, PreferencesRepository, CaseRepository, HealthProbe {
    let postgres: PostgresClient
    /// Active users seen recently: the check runs on every request, and users are rarely
    /// deactivated. Unknown and inactive users are not cached.
    private let activeUsers = ActiveUserCache(lifetime: 30)

    init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    // MARK: Users

    func status(of userID: Int) async throws -> UserStatus {
        if activeUsers.contains(userID) { return .active }
        let rows = try await postgres.query("SELECT is_active FROM users WHERE user_id = $1", [userID])
        guard let row = rows.first else { return .unknown }
        guard try row.decode("is_active", as: Bool.self) else { return .inactive }
        activeUsers.insert(userID)
        return .active
    }

    // MARK: Reminders

    static let reminderColumns = """
        id, sag_id, title, message, priority, trigger_type, trigger_config::text AS trigger_config,
        recipient_user_ids, recipient_emails, notify_mattermost, notify_email, notify_frontend,
        override_user_preferences, recurrence_type, timezone, scheduled_at, next_check_at, last_fired_at,
        fire_count, is_active, created_by_user_id, created_at, updated_at, deleted_at
        """

    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool {
        try await postgres.query(
            "SELECT reminders_can_access_case($2, id) AS allowed FROM sag_sager WHERE id = $1 AND deleted_at IS NULL", [sagID, userID]
        ).first?.decode("allowed", as: Bool?.self) == true
    }

    func reminders(onCase sagID: Int) async throws -> [ReminderRecord] {
        try await postgres.query(
            "SELECT \(Self.reminderColumns) FROM sag_reminders WHERE sag_id = $1 AND deleted_at IS NULL ORDER BY id", [sagID]
        ).map(Self.reminder(from:))
    }

    func reminder(id: Int) async throws -> ReminderRecord? {
        try await postgres.query(
            "SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1 AND deleted_at IS NULL", [id]
        ).first.map(Self.reminder(from:))
    }

    func reminderIncludingDeleted(id: Int) async throws -> ReminderRecord? {
        try await postgres.query("SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1", [id]).first.map(Self.reminder(from:))
    }

    func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int, quota: Int) async throws -> ReminderRecord {
        try await postgres.withTransaction { connection in
            try await Self.requireQuota(quota, of: createdBy, on: connection)
            try await Self.requireActiveUsers(draft.recipientUserIDs, on: connection)
            let rows = try await connection.query(
                """
                INSERT INTO sag_reminders (
                    sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids, recipient_emails,
                    notify_mattermost, notify_email, notify_frontend, override_user_preferences, recurrence_type,
                    timezone, scheduled_at, is_active, created_by_user_id)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                RETURNING \(Self.reminderColumns)
                """,
                [sagID] + Self.bindings(draft) + [createdBy]
            )
            return try Self.reminder(from: rows[0])
        }
    }

    func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord? {
        try await postgres.withTransaction { connection in
            let current = try await connection.query(
                "SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", [id]
            )
            guard let row = current.first else { return nil }
            let stored = try Self.reminder(from: row)
            let draft = try change(stored)
            // Recipients kept from before may have been deactivated since; only new ones are checked.
            try await Self.requireActiveUsers(
                draft.recipientUserIDs.filter { !stored.draft.recipientUserIDs.contains($0) }, on: connection, in: draft.recipientUserIDs
            )
            // The schedule trigger (migration 097) recomputes next_check_at when scheduled_at,
            // recurrence_type, trigger_type or trigger_config change.
            let rows = try await connection.query(
                """
                UPDATE sag_reminders
                   SET title = $2, message = $3, priority = $4, trigger_type = $5, trigger_config = $6::jsonb,
                       recipient_user_ids = $7, recipient_emails = $8, notify_mattermost = $9, notify_email = $10,
                       notify_frontend = $11, override_user_preferences = $12, recurrence_type = $13, timezone = $14,
                       scheduled_at = $15, is_active = $16, updated_at = now(),
                       -- Deactivated by a person: what is under way stops too (see migration 105).
                       stopped_at = CASE WHEN $16 THEN NULL WHEN is_active THEN now() ELSE stopped_at END
                 WHERE id = $1
                RETURNING \(Self.reminderColumns)
                """,
                [id] + Self.bindings(draft)
            )
            return try Self.reminder(from: rows[0])
        }
    }

    func softDelete(id: Int, authorize: @Sendable (ReminderRecord) throws -> Void) async throws -> Bool {
        try await postgres.withTransaction { connection in
            let current = try await connection.query("SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1 FOR UPDATE", [id])
            guard let row = current.first else { return false }
            try authorize(try Self.reminder(from: row))
            let rows = try await connection.query(
                """
                UPDATE sag_reminders
                   SET deleted_at = COALESCE(deleted_at, now()), is_active = FALSE, stopped_at = COALESCE(stopped_at, now()),
                       updated_at = CASE WHEN deleted_at IS NULL THEN now() ELSE updated_at END
                 WHERE id = $1
                RETURNING id
                """,
                [id]
            )
            guard !rows.isEmpty else { return false }
            try await connection.query(
                """
                UPDATE sag_reminder_snoozes SET cancelled_at = now()
                 WHERE reminder_id = $1 AND refired_at IS NULL AND cancelled_at IS NULL
                """,
                [id]
            )
            return true
        }
    }

    func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry] {
        try await postgres.query(
            """
            SELECT id, event_id::text AS event_id, user_id, recipient_email, channel, status, interaction_type,
                   reason, error_message, snoozed_until, attempt, created_at
              FROM sag_reminder_logs
             WHERE reminder_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
             ORDER BY id DESC
             LIMIT $3
            """,
            [reminderID, before, limit]
        ).map { row in
            ExecutionLogEntry(
                id: try row.decode("id"), eventID: try row.decode("event_id", as: String?.self),
                userID: try row.decode("user_id", as: Int?.self), recipientEmail: try row.decode("recipient_email", as: String?.self),
                channel: try row.decode("channel", as: String?.self), status: try row.decode("status"),
                interactionType: try row.decode("interaction_type", as: String?.self), reason: try row.decode("reason", as: String?.self),
                errorMessage: try row.decode("error_message", as: String?.self),
                snoozedUntil: try row.decode("snoozed_until", as: Date?.self), attempt: try row.decode("attempt"),
                createdAt: try row.decode("created_at")
            )
        }
    }

    private static func bindings(_ draft: ReminderDraft) -> [any PostgresBindable] {
        let config = (try? JSONValue.object(draft.triggerConfig).jsonText()) ?? "{}"
        return [
            draft.title, draft.message, draft.priority.rawValue, draft.triggerType.rawValue, PostgresJSON(config),
            draft.recipientUserIDs, draft.recipientEmails, draft.notifyMattermost, draft.notifyEmail, draft.notifyFrontend,
            draft.overrideUserPreferences, draft.recurrenceType.rawValue, draft.timezone, draft.scheduledAt, draft.isActive,
        ]
    }

    /// A 422 naming the first of `ids` that is no user or a deactivated one; the field's index
    /// is the user's place in `all` (the whole list the caller sent).
    private static func requireActiveUsers(_ ids: [Int], on connection: PostgresConnection, in all: [Int]? = nil) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await connection.query(
            """
            SELECT u.id, users.is_active
              FROM unnest($1::int[]) WITH ORDINALITY AS u(id, position)
              LEFT JOIN users ON users.user_id = u.id
             WHERE users.user_id IS NULL OR NOT users.is_active
             ORDER BY u.position
             LIMIT 1
            """,
            [ids]
        )
        guard let row = rows.first else { return }
        let id: Int = try row.decode("id")
        let index = (all ?? ids).firstIndex(of: id) ?? 0
        if try row.decode("is_active", as: Bool?.self) == nil {
            throw GatewayError.invalid("recipient_user_ids[\(index)]", "there is no user \(id)")
        }
        throw GatewayError.invalid("recipient_user_ids[\(index)]", "user \(id) is deactivated")
    }

    /// A 429 when `userID` created `quota` reminders in the last hour. Serialised per creator so
    /// parallel requests cannot all pass the count.
    private static func requireQuota(_ quota: Int, of userID: Int, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('reminder-create:' || $1::text, 0))", [userID])
        let rows = try await connection.query(
            """
            SELECT count(*) AS made,
                   ceil(extract(epoch FROM min(created_at) + interval '1 hour' - clock_timestamp()))::int AS frees_in
              FROM (SELECT created_at FROM sag_reminders
                     WHERE created_by_user_id = $1 AND created_at > clock_timestamp() - interval '1 hour'
                     ORDER BY created_at DESC LIMIT $2) AS recent
            """,
            [userID, quota]
        )
        let made: Int = try rows.first?.decode("made") ?? 0
        guard made >= quota else { return }
        let freesIn: Int = try rows.first?.decode("frees_in", as: Int?.self) ?? 3600
        throw GatewayError.tooMany(
            nil, "you created \(made) reminders in the last hour; the limit is \(quota) (REMINDERS_MAX_CREATED_PER_HOUR)",
            retryAfter: freesIn
        )
    }

    static func reminder(from row: PostgresRow) throws -> ReminderRecord {
        var draft = ReminderDraft()
        draft.title = try row.decode("title")
        draft.message = try row.decode("message", as: String?.self)
        draft.priority = Priority(rawValue: try row.decode("priority")) ?? .normal
        draft.triggerType = TriggerType(rawValue: try row.decode("trigger_type")) ?? .timeBased
        let config = try row.decode("trigger_config", as: String.self)
        if case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(config.utf8)) {
            draft.triggerConfig = members
        }
        draft.recipientUserIDs = try row.decode("recipient_user_ids")
        draft.recipientEmails = try row.decode("recipient_emails")
        draft.notifyMattermost = try row.decode("notify_mattermost", as: Bool?.self)
        draft.notifyEmail = try row.decode("notify_email", as: Bool?.self)
        draft.notifyFrontend = try row.decode("notify_frontend", as: Bool?.self)
        draft.overrideUserPreferences = try row.decode("override_user_preferences")
        draft.recurrenceType = RecurrenceType(rawValue: try row.decode("recurrence_type")) ?? .once
        draft.timezone = try row.decode("timezone")
        draft.scheduledAt = try row.decode("scheduled_at", as: Date?.self)
        draft.isActive = try row.decode("is_active")
        return ReminderRecord(
            id: try row.decode("id"), sagID: try row.decode("sag_id"), draft: draft,
            nextCheckAt: try row.decode("next_check_at", as: Date?.self), lastFiredAt: try row.decode("last_fired_at", as: Date?.self),
            fireCount: try row.decode("fire_count"), createdByUserID: try row.decode("created_by_user_id", as: Int?.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            deletedAt: try row.decode("deleted_at", as: Date?.self)
        )
    }

    // MARK: Inbox and interactions

    func caseOfReminder(_ reminderID: Int, forRecipient userID: Int) async throws -> Int? {
        try await postgres.query(
            """
            SELECT r.sag_id FROM sag_reminders r
             WHERE r.id = $1 AND r.deleted_at IS NULL
               AND ($2 = ANY (r.recipient_user_ids)
                    OR EXISTS (SELECT 1 FROM sag_reminder_inbox i WHERE i.reminder_id = r.id AND i.user_id = $2))
               AND reminders_can_access_case($2, r.sag_id)
            """,
            [reminderID, userID]
        ).first?.decode("sag_id")
    }

    func snooze(reminderID: Int, sagID: Int, userID: Int, minutes: Int) async throws -> InteractionResult {
        try await postgres.withTransaction { connection in
            // The same snooze again within a minute (a double click, a retried request) is the
            // one already made: no second snooze, no second log row.
            let repeated = try await connection.query(
                """
                SELECT snoozed_until, created_at FROM sag_reminder_snoozes
                 WHERE reminder_id = $1 AND user_id = $2 AND refired_at IS NULL AND cancelled_at IS NULL
                   AND created_at > now() - interval '1 minute'
                   AND snoozed_until = created_at + make_interval(mins => $3)
                 ORDER BY created_at DESC LIMIT 1
                """,
                [reminderID, userID, minutes]
            )
            if let row = repeated.first {
                return InteractionResult(
                    reminderID: reminderID, status: "snoozed", at: try row.decode("created_at"), snoozedUntil: try row.decode("snoozed_until")
                )
            }
            try await connection.query(
                """
                UPDATE sag_reminder_snoozes SET cancelled_at = now()
                 WHERE reminder_id = $1 AND user_id = $2 AND refired_at IS NULL AND cancelled_at IS NULL
                """,
                [reminderID, userID]
            )
            let snooze = try await connection.query(
                """
                INSERT INTO sag_reminder_snoozes (reminder_id, user_id, snoozed_until)
                VALUES ($1, $2, now() + make_interval(mins => $3))
                RETURNING snoozed_until, created_at
                """,
                [reminderID, userID, minutes]
            )
            let until: Date = try snooze[0].decode("snoozed_until")
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, channel, status, interaction_type, snoozed_until, reason)
                VALUES ($1, $2, $3, 'frontend', 'snoozed', 'snooze', $4, $5)
                """,
                [reminderID, sagID, userID, until, "snoozed for \(minutes) minutes by the recipient"]
            )
            try await connection.query(
                """
                UPDATE sag_reminder_inbox SET snoozed_until = $3, seen_at = COALESCE(seen_at, now())
                 WHERE reminder_id = $1 AND user_id = $2 AND dismissed_at IS NULL AND acknowledged_at IS NULL
                """,
                [reminderID, userID, until]
            )
            return InteractionResult(reminderID: reminderID, status: "snoozed", at: try snooze[0].decode("created_at"), snoozedUntil: until)
        }
    }

    func dismiss(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        try await postgres.withTransaction { connection in
            // One dismissal per user and reminder: a repeated dismiss changes nothing.
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, channel, status, interaction_type, reason, dedupe_key)
                VALUES ($1, $2, $3, 'frontend', 'dismissed', 'dismiss', 'dismissed by the recipient', $4)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                [reminderID, sagID, userID, "gateway:dismiss:\(reminderID):\(userID)"]
            )
            try await connection.query(
                """
                UPDATE sag_reminder_snoozes SET cancelled_at = now()
                 WHERE reminder_id = $1 AND user_id = $2 AND refired_at IS NULL AND cancelled_at IS NULL
                """,
                [reminderID, userID]
            )
            try await connection.query(
                """
                UPDATE sag_reminder_inbox SET dismissed_at = now(), seen_at = COALESCE(seen_at, now())
                 WHERE reminder_id = $1 AND user_id = $2 AND dismissed_at IS NULL
                """,
                [reminderID, userID]
            )
            let at = try await connection.query(
                "SELECT created_at FROM sag_reminder_logs WHERE dedupe_key = $1", ["gateway:dismiss:\(reminderID):\(userID)"]
            )
            return InteractionResult(reminderID: reminderID, status: "dismissed", at: try at[0].decode("created_at"))
        }
    }

    func acknowledge(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        try await postgres.withTransaction { connection in
            // One acknowledgement per user and notification: the key names the newest entry the
            // user has of this reminder, so a repeated call finds its row, and a later firing
            // (a new entry) can be acknowledged again.
            let newest = try await connection.query(
                "SELECT COALESCE(max(id), 0) AS id FROM sag_reminder_inbox WHERE reminder_id = $1 AND user_id = $2",
                [reminderID, userID]
            )[0].decode("id", as: Int.self)
            let key = "gateway:acknowledge:\(reminderID):\(userID):\(newest)"
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, user_id, channel, status, interaction_type, reason, dedupe_key)
                VALUES ($1, $2, $3, 'frontend', 'acknowledged', 'acknowledge', 'acknowledged by the recipient', $4)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                [reminderID, sagID, userID, key]
            )
            try await connection.query(
                """
                UPDATE sag_reminder_inbox SET acknowledged_at = now(), seen_at = COALESCE(seen_at, now())
                 WHERE reminder_id = $1 AND user_id = $2 AND acknowledged_at IS NULL AND dismissed_at IS NULL
                """,
                [reminderID, userID]
            )
            let at = try await connection.query("SELECT created_at FROM sag_reminder_logs WHERE dedupe_key = $1", [key])
            return InteractionResult(reminderID: reminderID, status: "acknowledged", at: try at[0].decode("created_at"))
        }
    }

    static let inboxColumns = """
        id, reminder_id, sag_id, event_id::text AS event_id, title, message, priority, case_title, created_at, snoozed_until,
        (dismissed_at IS NULL AND acknowledged_at IS NULL
         AND (snoozed_until IS NULL OR snoozed_until <= clock_timestamp())) AS is_pending
        """

    func pending(userID: Int, limit: Int) async throws -> PendingInbox {
        // The newest open entry per reminder: a snooze that re-fired writes a new entry, and the
        // older one must not show up again beside it.
        let entries = try await postgres.query(
            """
            SELECT * FROM (
                SELECT DISTINCT ON (reminder_id) \(Self.inboxColumns)
                  FROM sag_reminder_inbox
                 WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL
                 ORDER BY reminder_id, id DESC
            ) newest
             WHERE is_pending
               -- A deleted or deactivated reminder takes its entries with it.
               AND EXISTS (SELECT 1 FROM sag_reminders r WHERE r.id = newest.reminder_id AND r.stopped_at IS NULL)
             ORDER BY id DESC
             LIMIT $2
            """,
            [userID, limit]
        ).map(Self.inboxEntry(from:))
        let release = try await postgres.query(
            """
            SELECT min(snoozed_until) AS next FROM sag_reminder_inbox
             WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL AND snoozed_until > clock_timestamp()
            """,
            [userID]
        )
        return PendingInbox(entries: entries, nextRelease: try release.first?.decode("next", as: Date?.self))
    }

    func entries(userID: Int, after cursor: Int, limit: Int) async throws -> [InboxEntry] {
        try await postgres.query(
            "SELECT \(Self.inboxColumns) FROM sag_reminder_inbox WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            [userID, cursor, limit]
        ).map(Self.inboxEntry(from:))
    }

    func latestEntryID(userID: Int) async throws -> Int {
        try await postgres.query("SELECT COALESCE(max(id), 0) AS id FROM sag_reminder_inbox WHERE user_id = $1", [userID])[0].decode("id")
    }

    static func inboxEntry(from row: PostgresRow) throws -> InboxEntry {
        InboxEntry(
            id: try row.decode("id"), reminderID: try row.decode("reminder_id"), sagID: try row.decode("sag_id"),
            eventID: try row.decode("event_id"), title: try row.decode("title"), message: try row.decode("message", as: String?.self),
            priority: try row.decode("priority"), caseTitle: try row.decode("case_title", as: String?.self),
            createdAt: try row.decode("created_at"), snoozedUntil: try row.decode("snoozed_until", as: Date?.self),
            isPending: try row.decode("is_pending")
        )
    }

    // MARK: Preferences

    func preferences(userID: Int) async throws -> NotificationPreferences {
        let rows = try await postgres.query(
            """
            SELECT notify_mattermost, notify_email, notify_frontend, email_override, mattermost_username, quiet_hours_enabled,
                   to_char(quiet_hours_start, 'HH24:MI') AS quiet_hours_start, to_char(quiet_hours_end, 'HH24:MI') AS quiet_hours_end,
                   timezone
              FROM user_notification_preferences WHERE user_id = $1
            """,
            [userID]
        )
        guard let row = rows.first else { return NotificationPreferences() }
        return NotificationPreferences(
            notifyMattermost: try row.decode("notify_mattermost"), notifyEmail: try row.decode("notify_email"),
            notifyFrontend: try row.decode("notify_frontend"), emailOverride: try row.decode("email_override", as: String?.self),
            mattermostUsername: try row.decode("mattermost_username", as: String?.self),
            quietHoursEnabled: try row.decode("quiet_hours_enabled"),
            quietHoursStart: try row.decode("quiet_hours_start", as: String?.self),
            quietHoursEnd: try row.decode("quiet_hours_end", as: String?.self), timezone: try row.decode("timezone")
        )
    }

    func save(_ preferences: NotificationPreferences, userID: Int) async throws -> NotificationPreferences {
        try await postgres.query(
            """
            INSERT INTO user_notification_preferences (
                user_id, notify_mattermost, notify_email, notify_frontend, email_override, mattermost_username,
                quiet_hours_enabled, quiet_hours_start, quiet_hours_end, timezone)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::time, $9::time, $10)
            ON CONFLICT (user_id) DO UPDATE SET
                notify_mattermost = EXCLUDED.notify_mattermost, notify_email = EXCLUDED.notify_email,
                notify_frontend = EXCLUDED.notify_frontend, email_override = EXCLUDED.email_override,
                mattermost_username = EXCLUDED.mattermost_username, quiet_hours_enabled = EXCLUDED.quiet_hours_enabled,
                quiet_hours_start = EXCLUDED.quiet_hours_start, quiet_hours_end = EXCLUDED.quiet_hours_end,
                timezone = EXCLUDED.timezone, updated_at = now()
            """,
            [
                userID, preferences.notifyMattermost, preferences.notifyEmail, preferences.notifyFrontend, preferences.emailOverride,
                preferences.mattermostUsername, preferences.quietHoursEnabled, preferences.quietHoursStart, preferences.quietHoursEnd,
                preferences.timezone,
            ]
        )
        return try await self.preferences(userID: userID)
    }

    // MARK: Cases (demo)

    func caseRecord(id: Int) async throws -> CaseRecord? {
        try await postgres.query("SELECT id, titel, status, deadline FROM sag_sager WHERE id = $1 AND deleted_at IS NULL", [id])
            .first.map(Self.caseRecord(from:))
    }

    func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord? {
        try await postgres.query(
            "UPDATE sag_sager SET status = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id, titel, status, deadline",
            [id, status]
        ).first.map(Self.caseRecord(from:))
    }

    static func caseRecord(from row: PostgresRow) throws -> CaseRecord {
        CaseRecord(id: try row.decode("id"), title: try row.decode("titel"), status: try row.decode("status"),
                   deadline: try row.decode("deadline", as: Date?.self))
    }

    // MARK: Health

    func checkDatabase() async throws {
        try await postgres.query("SELECT 1")
    }
}

/// User ids known to be active, each for `lifetime` seconds.
final class ActiveUserCache: Sendable {
    private let lifetime: TimeInterval
    private let entries = Mutex<[Int: Date]>([:])

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    func contains(_ userID: Int) -> Bool {
        entries.withLock { entries in
            guard let expiry = entries[userID] else { return false }
            if expiry > Date() { return true }
            entries[userID] = nil
            return false
        }
    }

    func insert(_ userID: Int) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[userID] = Date().addingTimeInterval(lifetime)
        }
    }
}
