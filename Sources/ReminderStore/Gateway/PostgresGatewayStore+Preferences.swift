import Postgres

extension PostgresGatewayStore {
    public func preferences(userID: Int) async throws -> NotificationPreferences {
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

    public func save(_ preferences: NotificationPreferences, userID: Int) async throws -> NotificationPreferences {
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
}
