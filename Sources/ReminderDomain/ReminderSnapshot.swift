import Foundation
import ReminderContracts

/// A reminder as the dispatcher reads it when it fires.
public struct ReminderSnapshot: Sendable, Equatable {
    public var id: Int
    public var sagID: Int
    public var caseTitle: String
    public var title: String
    public var message: String?
    public var priority: Priority
    public var channelFlags: ChannelFlags<Bool?>
    public var overrideUserPreferences: Bool
    public var recipientUserIDs: [Int]
    public var recipientEmails: [String]
    public var isActive: Bool
    /// Deleted, or deactivated by a person (not by its own last firing): nothing more goes out.
    public var isDeleted: Bool

    /// Creates a snapshot.
    public init(
        id: Int, sagID: Int, caseTitle: String, title: String, message: String?, priority: Priority,
        channelFlags: ChannelFlags<Bool?>, overrideUserPreferences: Bool,
        recipientUserIDs: [Int], recipientEmails: [String], isActive: Bool = true, isDeleted: Bool = false
    ) {
        self.id = id
        self.sagID = sagID
        self.caseTitle = caseTitle
        self.title = title
        self.message = message
        self.priority = priority
        self.channelFlags = channelFlags
        self.overrideUserPreferences = overrideUserPreferences
        self.recipientUserIDs = recipientUserIDs
        self.recipientEmails = recipientEmails
        self.isActive = isActive
        self.isDeleted = isDeleted
    }
}

/// One user recipient with what the dispatcher needs to decide for them.
public struct RecipientProfile: Sendable, Equatable {
    public var userID: Int
    public var email: String?
    public var preferences: ChannelFlags<Bool>
    public var emailOverride: String?
    public var mattermostUsername: String?
    public var quietHours: QuietHours?
    public var hasDismissed: Bool
    public var snoozedUntil: Date?
    /// `users.is_active`: a deactivated user gets nothing.
    public var isActive: Bool

    /// Creates a profile.
    public init(
        userID: Int, email: String?, preferences: ChannelFlags<Bool> = ChannelPreferences.userDefaults,
        emailOverride: String? = nil, mattermostUsername: String? = nil, quietHours: QuietHours? = nil,
        hasDismissed: Bool = false, snoozedUntil: Date? = nil, isActive: Bool = true
    ) {
        self.userID = userID
        self.email = email
        self.preferences = preferences
        self.emailOverride = emailOverride
        self.mattermostUsername = mattermostUsername
        self.quietHours = quietHours
        self.hasDismissed = hasDismissed
        self.snoozedUntil = snoozedUntil
        self.isActive = isActive
    }
}
