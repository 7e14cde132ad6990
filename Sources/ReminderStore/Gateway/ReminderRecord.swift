import Foundation

/// A reminder as stored (a row of `sag_reminders`).
public struct ReminderRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int
    /// The case it belongs to.
    public var sagID: Int
    /// The fields a caller sets.
    public var draft: ReminderDraft
    /// When the scheduler looks at it next.
    public var nextCheckAt: Date?
    /// When it last fired.
    public var lastFiredAt: Date?
    /// How often it fired.
    public var fireCount: Int
    /// Who created it, when known.
    public var createdByUserID: Int?
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// Set when soft-deleted.
    public var deletedAt: Date?

    /// A stored reminder.
    public init(
        id: Int, sagID: Int, draft: ReminderDraft, nextCheckAt: Date? = nil, lastFiredAt: Date? = nil, fireCount: Int = 0,
        createdByUserID: Int?, createdAt: Date, updatedAt: Date, deletedAt: Date? = nil
    ) {
        self.id = id
        self.sagID = sagID
        self.draft = draft
        self.nextCheckAt = nextCheckAt
        self.lastFiredAt = lastFiredAt
        self.fireCount = fireCount
        self.createdByUserID = createdByUserID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}
