import Foundation

/// The outcome of a snooze, dismiss or acknowledge.
public struct InteractionResult: Sendable, Equatable {
    /// The reminder acted on.
    public var reminderID: Int
    /// `snoozed`, `dismissed` or `acknowledged`.
    public var status: String
    /// When it was recorded (the first time, for a repeated one).
    public var at: Date
    /// For a snooze: when the reminder comes back.
    public var snoozedUntil: Date?

    /// An outcome.
    public init(reminderID: Int, status: String, at: Date, snoozedUntil: Date? = nil) {
        self.reminderID = reminderID
        self.status = status
        self.at = at
        self.snoozedUntil = snoozedUntil
    }
}
