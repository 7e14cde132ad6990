import ReminderStore

/// Reads a preferences PATCH body onto the stored (or default) preferences.
enum PreferencesInput {
    static let fields: Set<String> = [
        "notify_mattermost", "notify_email", "notify_frontend", "quiet_hours_enabled", "quiet_hours_start",
        "quiet_hours_end", "email_override", "timezone", "mattermost_username",
    ]

    static func update(_ current: NotificationPreferences, with body: RequestJSON) throws(GatewayError) -> NotificationPreferences {
        try body.rejectUnknown(allowed: fields)
        for required in ["notify_mattermost", "notify_email", "notify_frontend", "quiet_hours_enabled", "timezone"] where body.isNull(required) {
            throw .invalid(required, "must not be null")
        }
        var preferences = current
        if let flag = try body.bool("notify_mattermost") { preferences.notifyMattermost = flag }
        if let flag = try body.bool("notify_email") { preferences.notifyEmail = flag }
        if let flag = try body.bool("notify_frontend") { preferences.notifyFrontend = flag }
        if let flag = try body.bool("quiet_hours_enabled") { preferences.quietHoursEnabled = flag }
        for key in ["quiet_hours_start", "quiet_hours_end"] where body.has(key) {
            var value: String?
            if let text = try body.string(key, maxLength: 5) {
                guard let time = InputRules.clockTime(text) else { throw .invalid(key, "must be a time HH:MM such as 18:00") }
                value = time
            }
            if key == "quiet_hours_start" { preferences.quietHoursStart = value } else { preferences.quietHoursEnd = value }
        }
        if body.has("email_override") {
            if let email = try body.string("email_override", maxLength: 254) {
                guard InputRules.isEmailAddress(email) else { throw .invalid("email_override", "is not a valid e-mail address") }
                preferences.emailOverride = email
            } else {
                preferences.emailOverride = nil
            }
        }
        if body.has("mattermost_username") {
            if let name = try body.string("mattermost_username", maxLength: InputRules.usernameMaxLength) {
                let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
                guard name.allSatisfy(allowed.contains) else {
                    throw .invalid("mattermost_username", "may hold letters, digits and . _ - @ only")
                }
                preferences.mattermostUsername = name.hasPrefix("@") ? String(name.dropFirst()) : name
                if preferences.mattermostUsername?.isEmpty ?? true { throw .invalid("mattermost_username", "must not be empty") }
            } else {
                preferences.mattermostUsername = nil
            }
        }
        if let zone = try body.string("timezone", maxLength: 64) {
            guard InputRules.isTimeZone(zone) else { throw .invalid("timezone", "is not an IANA time zone such as Europe/Copenhagen") }
            preferences.timezone = zone
        }
        if preferences.quietHoursEnabled {
            if preferences.quietHoursStart == nil { throw .invalid("quiet_hours_start", "quiet hours need a start time") }
            if preferences.quietHoursEnd == nil { throw .invalid("quiet_hours_end", "quiet hours need an end time") }
        }
        return preferences
    }
}
