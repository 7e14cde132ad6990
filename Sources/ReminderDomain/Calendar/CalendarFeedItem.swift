import Foundation
import ReminderContracts

/// A reminder as its recipient's calendar shows it.
public struct CalendarFeedItem: Sendable, Equatable {
    /// When it happens.
    public enum Timing: Sendable, Equatable {
        /// A time-based reminder: first at `anchor`, repeating as `recurrence` says, in the
        /// IANA zone `timeZone`.
        case scheduled(anchor: Date, recurrence: RecurrenceType, timeZone: String)
        /// A deadline reminder: the case's deadline, with an alarm `hoursBefore` it.
        case deadline(Date, hoursBefore: Double)
    }

    /// The reminder's id (its `UID` derives from it).
    public var reminderID: Int
    /// Its case.
    public var sagID: Int
    /// Its title.
    public var title: String
    /// Its message, if any.
    public var message: String?
    /// The case's title, if known.
    public var caseTitle: String?
    /// How pressing it is.
    public var priority: Priority
    /// When it happens.
    public var timing: Timing
    /// Rises with every change that a calendar shows (`SEQUENCE`).
    public var sequence: Int
    /// When it last changed (`DTSTAMP`, `LAST-MODIFIED`).
    public var updatedAt: Date

    /// An item.
    public init(
        reminderID: Int, sagID: Int, title: String, message: String?, caseTitle: String?, priority: Priority, timing: Timing,
        sequence: Int, updatedAt: Date
    ) {
        self.reminderID = reminderID
        self.sagID = sagID
        self.title = title
        self.message = message
        self.caseTitle = caseTitle
        self.priority = priority
        self.timing = timing
        self.sequence = sequence
        self.updatedAt = updatedAt
    }
}
