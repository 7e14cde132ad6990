import Postgres

/// A few users, cases and reminders to try the gateway with (`reminders demo-data`).
public struct DemoData: Sendable {
    /// The demo users, active.
    public var users: [(id: Int, name: String)]
    /// The demo cases; reminders hang on both.
    public var cases: [(id: Int, title: String)]

    /// Creates what is missing: users by user name (a deactivated one is reactivated), cases by
    /// title, and the reminders when the first case has none yet.
    public static func seed(through postgres: PostgresClient) async throws -> DemoData {
        let users = try await createUsers(postgres)
        let cases = try await createCases(postgres)
        try await createReminders(postgres, cases: cases, users: users)
        return DemoData(users: users, cases: cases)
    }

    private static func createUsers(_ postgres: PostgresClient) async throws -> [(id: Int, name: String)] {
        var users: [(Int, String)] = []
        for (name, fullName) in [("demo-anna", "Anna Demo"), ("demo-bo", "Bo Demo"), ("demo-carla", "Carla Demo")] {
            let rows = try await postgres.query(
                """
                INSERT INTO users (username, full_name, email) VALUES ($1, $2, $3)
                ON CONFLICT (username) DO UPDATE SET is_active = TRUE
                RETURNING user_id
                """,
                [name, fullName, "\(name)@example.com"]
            )
            users.append((try rows[0].decode("user_id"), name))
        }
        return users
    }

    private static func createCases(_ postgres: PostgresClient) async throws -> [(id: Int, title: String)] {
        var cases: [(Int, String)] = []
        for (title, days) in [("Demo: server migration", 3), ("Demo: printer replacement", 10)] {
            let existing = try await postgres.query("SELECT id FROM sag_sager WHERE titel = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1", [title])
            if let row = existing.first {
                cases.append((try row.decode("id"), title))
                continue
            }
            let rows = try await postgres.query(
                "INSERT INTO sag_sager (titel, status, deadline) VALUES ($1, 'ny', now() + make_interval(days => $2)) RETURNING id",
                [title, days]
            )
            cases.append((try rows[0].decode("id"), title))
        }
        return cases
    }

    private static func createReminders(_ postgres: PostgresClient, cases: [(id: Int, title: String)], users: [(id: Int, name: String)]) async throws {
        let existing = try await postgres.query("SELECT count(*) AS n FROM sag_reminders WHERE sag_id = $1", [cases[0].id])
        guard try existing[0].decode("n", as: Int.self) == 0 else { return }
        let everyone = users.map(\.id)
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids, created_by_user_id)
            VALUES ($1, 'Case is in progress', 'Someone started working on the server migration.', 'high', 'status_change',
                    '{"target_status": "i_gang"}', $2, $3)
            """,
            [cases[0].id, everyone, users[0].id]
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids,
                                       recurrence_type, scheduled_at, created_by_user_id)
            VALUES ($1, 'Daily status check', 'Look at the printer case.', 'low', 'time_based', '{}', $2, 'daily',
                    date_trunc('day', now()) + interval '1 day 8 hours', $3)
            """,
            [cases[1].id, [users[1].id], users[0].id]
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, priority, trigger_type, trigger_config, recipient_user_ids, created_by_user_id)
            VALUES ($1, 'Deadline tomorrow', 'urgent', 'deadline_approaching', '{"hours_before": 24}', $2, $3)
            """,
            [cases[0].id, everyone, users[0].id]
        )
    }
}
