import ReminderContracts
/// Per-channel on/off values: a user's defaults, or a reminder's flags where
/// `nil` means "inherit".
public struct ChannelFlags<Value: Sendable & Equatable>: Sendable, Equatable {
    public var email: Value
    public var mattermost: Value
    public var frontend: Value

    /// Creates flags.
    public init(email: Value, mattermost: Value, frontend: Value) {
        self.email = email
        self.mattermost = mattermost
        self.frontend = frontend
    }

    /// The value for `channel`; `nil` for the webhook channel, which has no
    /// per-person flag (subscriptions choose it).
    public subscript(channel: Channel) -> Value? {
        switch channel {
        case .email: email
        case .mattermost: mattermost
        case .frontend: frontend
        case .webhook: nil
        }
    }
}

/// Decides which channels one recipient gets for one reminder.
public enum ChannelPreferences {
    /// The column defaults of `user_notification_preferences`, for a user
    /// without a row.
    public static let userDefaults = ChannelFlags(email: false, mattermost: true, frontend: true)

    /// The merge the design decided: a reminder's `nil` flag inherits the
    /// user's default; `false` turns the channel off; `true` turns it on only
    /// if the user has not opted out — unless `overrideUserPreferences`, in
    /// which case the reminder's flags win outright.
    public static func channels(
        user: ChannelFlags<Bool>,
        reminder: ChannelFlags<Bool?>,
        overrideUserPreferences: Bool
    ) -> Set<Channel> {
        Set(Channel.personal.filter { channel in
            guard let userWants = user[channel] else { return false }
            guard let flag = reminder[channel] ?? nil else { return userWants }
            return overrideUserPreferences ? flag : (flag && userWants)
        })
    }

    /// A bare e-mail address has no preferences and no inbox: it gets e-mail
    /// unless the reminder turned e-mail off.
    public static func channelsForBareAddress(reminder: ChannelFlags<Bool?>) -> Set<Channel> {
        reminder.email == false ? [] : [.email]
    }
}
