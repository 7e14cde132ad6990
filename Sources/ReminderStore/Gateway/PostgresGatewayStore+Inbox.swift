import Foundation
import Postgres

extension PostgresGatewayStore {
    public func caseOfReminder(_ reminderID: Int, forRecipient userID: Int) async throws -> Int? {
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

    public func snooze(reminderID: Int, sagID: Int, userID: Int, minutes: Int) async throws -> InteractionResult {
        try await postgres.inTransaction { connection in
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

    public func dismiss(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        try await postgres.inTransaction { connection in
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

    public func acknowledge(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        try await postgres.inTransaction { connection in
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
        (dismissed_at IS NULL AND acknowledged_at IS NULL AND withdrawn_at IS NULL
         AND (snoozed_until IS NULL OR snoozed_until <= clock_timestamp())) AS is_pending
        """

    /// A user's (`$1`) pending entries, at most `$2`: the newest open entry per reminder (a
    /// snooze that re-fired writes a new entry, and the older one must not show up again
    /// beside it), of reminders not stopped, newest first.
    static let pendingEntriesQuery = """
        SELECT * FROM (
            SELECT DISTINCT ON (reminder_id) \(inboxColumns)
              FROM sag_reminder_inbox
             WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL AND withdrawn_at IS NULL
             ORDER BY reminder_id, id DESC
        ) newest
         WHERE is_pending
           -- A deleted or deactivated reminder takes its entries with it.
           AND EXISTS (SELECT 1 FROM sag_reminders r WHERE r.id = newest.reminder_id AND r.stopped_at IS NULL)
         ORDER BY id DESC
         LIMIT $2
        """

    public func pending(userID: Int, limit: Int) async throws -> PendingInbox {
        // The next release is read first: every entry the second read finds
        // still snoozed was snoozed at the first, so the release is never
        // later than its return. Read the other way round, a snooze that ended
        // between the two reads left its entry hidden with no release at all
        // (seen on a loaded CI machine).
        let release = try await postgres.query(
            """
            SELECT min(snoozed_until) AS next FROM sag_reminder_inbox
             WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL AND snoozed_until > clock_timestamp()
            """,
            [userID]
        )
        let entries = try await postgres.query(Self.pendingEntriesQuery, [userID, limit]).map(Self.inboxEntry(from:))
        return PendingInbox(entries: entries, nextRelease: try release.first?.decode("next", as: Date?.self))
    }

    public func entries(userID: Int, after cursor: Int, limit: Int) async throws -> [InboxEntry] {
        try await postgres.query(
            "SELECT \(Self.inboxColumns) FROM sag_reminder_inbox WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            [userID, cursor, limit]
        ).map(Self.inboxEntry(from:))
    }

    public func latestEntryID(userID: Int) async throws -> Int {
        try await postgres.query("SELECT COALESCE(max(id), 0) AS id FROM sag_reminder_inbox WHERE user_id = $1", [userID])[0].decode("id")
    }

    /// A user's (`$1`) held-back notifications: the dispatcher's per-recipient `rate_limited`
    /// decisions of the last 7 days, of reminders not stopped, on cases the user may access.
    static let heldFilter = """
          FROM sag_reminder_logs l
          JOIN sag_reminders r ON r.id = l.reminder_id
          JOIN sag_sager s ON s.id = l.sag_id
         WHERE l.user_id = $1 AND l.status = 'rate_limited' AND l.channel IS NULL
           AND l.created_at > now() - interval '7 days'
           AND r.stopped_at IS NULL
           AND reminders_can_access_case($1, l.sag_id)
        """

    public func held(userID: Int, limit: Int) async throws -> HeldList {
        let count = try await postgres.query("SELECT count(*) AS n \(Self.heldFilter)", [userID])[0].decode("n", as: Int.self)
        guard count > 0 else { return HeldList(count: 0, items: []) }
        let rows = try await postgres.query(
            """
            SELECT l.id, l.event_id::text AS event_id, l.reminder_id, l.sag_id, r.title, r.message, r.priority,
                   s.titel AS case_title, l.created_at, l.reason
            \(Self.heldFilter)
             ORDER BY l.created_at DESC, l.id DESC
             LIMIT $2
            """,
            [userID, limit]
        )
        return HeldList(count: count, items: try rows.map { row in
            HeldNotification(
                id: try row.decode("id"), eventID: try row.decode("event_id"), reminderID: try row.decode("reminder_id"),
                sagID: try row.decode("sag_id"), title: try row.decode("title"), message: try row.decode("message", as: String?.self),
                priority: try row.decode("priority"), caseTitle: try row.decode("case_title", as: String?.self),
                heldAt: try row.decode("created_at"), reason: try row.decode("reason", as: String?.self)
            )
        })
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
}
