import ReminderDomain

/// What a user's calendar feed shows, and the feed tokens that let a calendar application in.
public protocol CalendarRepository: Sendable {
    /// The user's live time-based and deadline reminders, oldest first: those that list the user
    /// as a recipient, on cases that exist and the host's rule lets the user into; without those
    /// the user dismissed or has snoozed now, and deadline reminders of cases without a deadline.
    /// At most `limit`.
    func calendarItems(userID: Int, limit: Int) async throws -> [CalendarFeedItem]
    /// The SHA-256 (lower-case hex) of the user's feed token, `nil` without one.
    func calendarFeedTokenHash(userID: Int) async throws -> String?
    /// Stores the hash of the user's new feed token; the old one stops working.
    func replaceCalendarFeedToken(userID: Int, hash: String) async throws
    /// Removes the user's feed token; false when there was none.
    func removeCalendarFeedToken(userID: Int) async throws -> Bool
}
