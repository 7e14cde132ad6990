/// Who the users are (the host application's `users`).
public protocol UserDirectory: Sendable {
    /// Whether `userID` exists and is active.
    func status(of userID: Int) async throws -> UserStatus
}
