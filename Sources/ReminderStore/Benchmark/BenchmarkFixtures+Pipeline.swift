import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

extension BenchmarkFixtures {
    /// On every case, a reminder for user 1 that fires when the case moves to `i_gang`.
    public func addProgressRemindersForUserOne() async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)
            SELECT id, 'On progress', 'status_change', '{"target_status": "i_gang"}', '{1}' FROM sag_sager
            """
        )
    }

    /// On every case, a reminder for the first user that fires when the case moves to `i_gang`
    /// and goes out by e-mail or Mattermost only, whatever the user's defaults.
    public func addProgressReminders(email: Bool, mattermost: Bool) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, trigger_type, trigger_config, recipient_user_ids,
                                       notify_email, notify_mattermost, notify_frontend, override_user_preferences)
            SELECT id, 'In progress', 'Someone started on it.', 'status_change', '{"target_status": "i_gang"}',
                   ARRAY[(SELECT min(user_id) FROM users)], $1, $2, FALSE, TRUE
              FROM sag_sager
            """,
            [email, mattermost]
        )
    }

    /// On every case, a reminder that fires when the case moves to `i_gang` and notifies
    /// `recipients` of the first 1,000 users, spread over them: by Mattermost (the reminder asks
    /// for it, so users without a Mattermost name are posted in the shared channel) and in-app.
    public func addProgressReminders(recipientsEach recipients: Int) async throws {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids, notify_mattermost)
            SELECT id, 'Progress', 'status_change', '{"target_status": "i_gang"}',
                   ARRAY(SELECT 1 + (id * 7 + k * 13) % 1000 FROM generate_series(1, $1) AS k), TRUE
              FROM sag_sager
            """,
            [recipients]
        )
    }

    /// One reminder on `sagID` for `userID` that fires when the case moves to `i_gang`; its id.
    public func addProgressReminder(sagID: Int, userID: Int) async throws -> Int {
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)
            VALUES ($1, 'Progress', 'status_change', '{"target_status": "i_gang"}', $2) RETURNING id
            """,
            [sagID, [userID]]
        )[0].decode("id", as: Int.self)
    }

    /// Outbox rows not yet published.
    public func unpublishedOutboxRows() async throws -> Int {
        try await count("SELECT count(*) AS n FROM reminder_outbox WHERE published_at IS NULL")
    }

    /// Deliveries handed on: messages published on the delivery topics
    /// (`reminders.deliver.*`) plus in-app entries, which go straight to the inbox.
    public func handedOnDeliveries() async throws -> Int {
        try await count(
            """
            SELECT (SELECT count(*) FROM reminder_outbox WHERE topic LIKE 'reminders.deliver.%' AND published_at IS NOT NULL)
                 + (SELECT count(*) FROM sag_reminder_inbox) AS n
            """
        )
    }

    /// Deliveries recorded as sent.
    public func sentDeliveries() async throws -> Int {
        try await count("SELECT count(*) AS n FROM sag_reminder_deliveries WHERE status = 'sent'")
    }

    /// Deliveries in any state but sent.
    public func unsentDeliveries() async throws -> Int {
        try await count("SELECT count(*) AS n FROM sag_reminder_deliveries WHERE status <> 'sent'")
    }

    /// Seconds from the first to the last `sent` log row (each stamped when its send returned).
    public func sentLogSpanSeconds() async throws -> Double {
        try await postgres.query(
            "SELECT EXTRACT(EPOCH FROM max(created_at) - min(created_at)) AS s FROM sag_reminder_logs WHERE status = 'sent'"
        )[0].decode("s", as: Double.self)
    }

    /// The `sent` log rows of `channel`: their case and when the send returned.
    public func sentLogTimes(channel: Channel) async throws -> [(sagID: Int, at: Date)] {
        try await postgres.query(
            "SELECT sag_id, created_at FROM sag_reminder_logs WHERE status = 'sent' AND channel = $1", [channel.rawValue]
        ).map { (try $0.decode("sag_id", as: Int.self), try $0.decode("created_at", as: Date.self)) }
    }

    /// `count` outbox rows on `topic`, keyed over 1,000 keys, each a small JSON payload.
    public func addOutboxRows(count: Int, topic: String) async throws {
        let padding = String(repeating: "x", count: 200)
        var first = 1
        // Through the one outbox writer, a few thousand rows per statement.
        while first <= count {
            let last = min(count, first + 4_999)
            let rows = try (first...last).map { n in
                OutboxRow(
                    eventID: UUID(), topic: topic, key: String(n % 1000),
                    payload: try JSONValue.object(["n": .number(Double(n)), "event_type": .string("bench"), "padding": .string(padding)]).jsonText(),
                    headers: ["event_type": "bench"]
                )
            }
            try await OutboxWriter.insert(rows, through: postgres)
            first = last + 1
        }
    }
}
