/// A user's notification preferences.
public protocol PreferencesRepository: Sendable {
    /// The stored preferences or the defaults.
    func preferences(userID: Int) async throws -> NotificationPreferences
    /// Stores them (insert or update) and returns them as stored.
    func save(_ preferences: NotificationPreferences, userID: Int) async throws -> NotificationPreferences
}
