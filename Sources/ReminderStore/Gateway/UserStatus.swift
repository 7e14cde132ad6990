/// Whether a user (the host application's `users`) may use the reminders.
public enum UserStatus: Sendable, Equatable {
    /// Exists and is active.
    case active
    /// Exists and is deactivated.
    case inactive
    /// Does not exist.
    case unknown
}
