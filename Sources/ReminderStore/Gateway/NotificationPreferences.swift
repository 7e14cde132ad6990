/// A user's notification defaults (`user_notification_preferences`, or its defaults).
public struct NotificationPreferences: Sendable, Equatable {
    /// Mattermost messages by default.
    public var notifyMattermost = true
    /// E-mail by default.
    public var notifyEmail = false
    /// In-app notifications by default.
    public var notifyFrontend = true
    /// Where the user's e-mail goes instead of their own address.
    public var emailOverride: String?
    /// The user's Mattermost name, without `@`.
    public var mattermostUsername: String?
    /// Whether e-mail and Mattermost wait for the end of quiet hours.
    public var quietHoursEnabled = false
    /// `HH:MM`.
    public var quietHoursStart: String?
    /// `HH:MM`.
    public var quietHoursEnd: String?
    /// The IANA time zone quiet hours are read in.
    public var timezone = "Europe/Copenhagen"

    /// The defaults of a user who never set any.
    public init() {}

    /// Preferences with every field given.
    public init(
        notifyMattermost: Bool, notifyEmail: Bool, notifyFrontend: Bool, emailOverride: String?, mattermostUsername: String?,
        quietHoursEnabled: Bool, quietHoursStart: String?, quietHoursEnd: String?, timezone: String
    ) {
        self.notifyMattermost = notifyMattermost
        self.notifyEmail = notifyEmail
        self.notifyFrontend = notifyFrontend
        self.emailOverride = emailOverride
        self.mattermostUsername = mattermostUsername
        self.quietHoursEnabled = quietHoursEnabled
        self.quietHoursStart = quietHoursStart
        self.quietHoursEnd = quietHoursEnd
        self.timezone = timezone
    }
}
