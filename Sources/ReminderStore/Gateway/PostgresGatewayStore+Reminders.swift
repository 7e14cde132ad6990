import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

extension PostgresGatewayStore {
    static let reminderColumns = """
        id, sag_id, title, message, priority, trigger_type, trigger_config::text AS trigger_config,
        recipient_user_ids, recipient_emails, notify_mattermost, notify_email, notify_frontend,
        override_user_preferences, recurrence_type, timezone, scheduled_at, next_check_at, last_fired_at,
        fire_count, is_active, created_by_user_id, created_at, updated_at, deleted_at, escalation::text AS escalation
        """

    public func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool {
        try await postgres.query(
            "SELECT reminders_can_access_case($2, id) AS allowed FROM sag_sager WHERE id = $1 AND deleted_at IS NULL", [sagID, userID]
        ).first?.decode("allowed", as: Bool?.self) == true
    }

    public func reminders(onCase sagID: Int) async throws -> [ReminderRecord] {
        try await postgres.query(
            "SELECT \(Self.reminderColumns) FROM sag_reminders WHERE sag_id = $1 AND deleted_at IS NULL ORDER BY id", [sagID]
        ).map(Self.reminder(from:))
    }

    public func reminder(id: Int) async throws -> ReminderRecord? {
        try await postgres.query(
            "SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1 AND deleted_at IS NULL", [id]
        ).first.map(Self.reminder(from:))
    }

    public func reminderIncludingDeleted(id: Int) async throws -> ReminderRecord? {
        try await postgres.query("SELECT \(Self.reminderColumns) FROM sag_reminders WHERE id = $1", [id]).first.map(Self.reminder(from:))
    }

    public func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int, quota: Int) async throws -> ReminderRecord {
        try await postgres.inTransaction { connection in
            try await Self.requireQuota(quota, of: createdBy, on: connection)
            try await Self.requireActiveUsers(draft.recipientUserIDs, on: connection)
            try await Self.requireActiveEscalationUsers(draft.escalation, on: connection)
            let rows = try await connection.query(
                """
                INSERT INTO sag_reminders (
                    sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids, recipient_emails,
                    notify_mattermost, notify_email, notify_frontend, override_user_preferences, recurrence_type,
                    timezone, scheduled_at, is_active, escalation, created_by_user_id)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18)
                RETURNING \(Self.reminderColumns)
                """,
                [sagID] + Self.bindings(draft) + [createdBy]
            )
            return try Self.reminder(from: rows[0])
        }
    }

    public func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord? {
        try await postgres.inTransaction { connection in
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
            if draft.escalation != stored.draft.escalation {
                try await Self.requireActiveEscalationUsers(draft.escalation, on: connection)
            }
            // The schedule trigger (migration 097) recomputes next_check_at when scheduled_at,
            // recurrence_type, trigger_type or trigger_config change.
            let rows = try await connection.query(
                """
                UPDATE sag_reminders
                   SET title = $2, message = $3, priority = $4, trigger_type = $5, trigger_config = $6::jsonb,
                       recipient_user_ids = $7, recipient_emails = $8, notify_mattermost = $9, notify_email = $10,
                       notify_frontend = $11, override_user_preferences = $12, recurrence_type = $13, timezone = $14,
                       scheduled_at = $15, is_active = $16, escalation = $17::jsonb, updated_at = now(),
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

    public func softDelete(id: Int, authorize: @Sendable (ReminderRecord) throws -> Void) async throws -> Bool {
        try await postgres.inTransaction { connection in
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

    public func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry] {
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
            draft.escalation.isEmpty ? nil : (try? escalationJSON(draft.escalation)).map(PostgresJSON.init),
        ]
    }

    /// The steps as the `escalation` column holds them (the API's field names).
    private static func escalationJSON(_ steps: [EscalationStep]) throws -> String {
        try JSONValue.array(steps.map { step in
            .object([
                "after_minutes": .integer(Int64(step.afterMinutes)),
                "to_user_ids": .array(step.toUserIDs.map { .integer(Int64($0)) }),
                "channels": .array(step.channels.map { .string($0.rawValue) }),
            ])
        }).jsonText()
    }

    /// Refuses the first escalation user that is no user or a deactivated one, naming its step and place.
    private static func requireActiveEscalationUsers(_ steps: [EscalationStep], on connection: PostgresConnection) async throws {
        for (step, definition) in steps.enumerated() {
            do {
                try await requireActiveUsers(definition.toUserIDs, on: connection)
            } catch let refusal as ReminderWriteRefusal {
                switch refusal {
                case .unknownRecipient(let index, let userID): throw ReminderWriteRefusal.unknownEscalationUser(step: step, index: index, userID: userID)
                case .deactivatedRecipient(let index, let userID): throw ReminderWriteRefusal.deactivatedEscalationUser(step: step, index: index, userID: userID)
                default: throw refusal
                }
            }
        }
    }

    /// Refuses the first of `ids` that is no user or a deactivated one; the refusal's index is
    /// the user's place in `all` (the whole list the caller sent).
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
            throw ReminderWriteRefusal.unknownRecipient(index: index, userID: id)
        }
        throw ReminderWriteRefusal.deactivatedRecipient(index: index, userID: id)
    }

    /// Refuses when `userID` created `quota` reminders in the last hour, saying when the oldest
    /// of them leaves the hour. Serialised per creator so parallel requests cannot all pass the count.
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
        throw ReminderWriteRefusal.creationQuotaReached(made: made, quota: quota, retryAfterSeconds: freesIn)
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
        if let escalation = try row.decode("escalation", as: String?.self),
           let steps = try? JSONDecoder().decode([EscalationStep].self, from: Data(escalation.utf8)) {
            draft.escalation = steps
        }
        return ReminderRecord(
            id: try row.decode("id"), sagID: try row.decode("sag_id"), draft: draft,
            nextCheckAt: try row.decode("next_check_at", as: Date?.self), lastFiredAt: try row.decode("last_fired_at", as: Date?.self),
            fireCount: try row.decode("fire_count"), createdByUserID: try row.decode("created_by_user_id", as: Int?.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            deletedAt: try row.decode("deleted_at", as: Date?.self)
        )
    }
}
