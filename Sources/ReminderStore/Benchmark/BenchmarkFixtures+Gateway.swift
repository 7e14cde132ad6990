import Postgres

extension BenchmarkFixtures {
    /// On every case, a live reminder, and for every user an inbox entry of each: every entry
    /// pending (the pending list leaves out entries of a stopped reminder).
    public func addPendingInboxEntries() async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, trigger_type, trigger_config, recipient_user_ids, is_active, stopped_at)
            SELECT id, 'Follow up ' || id, 'Call the customer about the case.', 'status_change', '{"target_status": "i_gang"}', '{}', true, NULL
              FROM sag_sager
            """
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority, case_title)
            SELECT gen_random_uuid()::text || ':user:' || u.user_id || ':frontend', gen_random_uuid(), r.id, r.sag_id, u.user_id,
                   r.title, r.message, 'high', 'Case ' || r.sag_id
              FROM users u CROSS JOIN sag_reminders r
            """
        )
    }

    /// Runs the gateway's pending-list query (``PostgresGatewayStore/pending(userID:limit:)``'s
    /// read of the entries) once, without decoding its rows.
    public func readPendingEntries(userID: Int, limit: Int) async throws {
        try await postgres.query(PostgresGatewayStore.pendingEntriesQuery, [userID, limit])
    }
}
