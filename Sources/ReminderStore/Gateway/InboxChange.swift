import Foundation
import ReminderContracts

/// One announcement on the inbox channel (migrations 098 and 106), read.
public enum InboxChange: Sendable, Equatable {
    /// The listener lost its connection and listens again: announcements made meanwhile were
    /// missed, so every user's inbox may have changed.
    case missed
    /// The user has a new entry.
    case entryAdded(userID: Int)
    /// One of the user's entries changed (dismissed, acknowledged, snoozed…); nothing new.
    case entryChanged(userID: Int)
    /// A reminder stopped or restarted: its entries leave or rejoin the pending lists.
    case reminderChanged
    /// Something else on the channel (a listener's probe, an unknown payload).
    case other

    /// Reads a payload of the channel: `{"user_id": U, "id": I}` for a new entry, with
    /// `"changed": true` for a changed one, `{"reminder_id": R}` for a reminder.
    public init(payload: String) {
        guard let object = JSONValue.parse(payload.utf8), case .object = object else {
            self = .other
            return
        }
        if let userID = object["user_id"]?.int64Value.flatMap({ Int(exactly: $0) }) {
            self = object["changed"] == .bool(true) ? .entryChanged(userID: userID) : .entryAdded(userID: userID)
        } else if object["reminder_id"] != nil {
            self = .reminderChanged
        } else {
            self = .other
        }
    }
}
