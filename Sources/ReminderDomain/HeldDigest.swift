import Foundation
import ReminderContracts

/// The one e-mail that carries what the rate limit held back from a user
/// (`REMINDERS_HELD_DIGEST`): which held items it carries, and its text. The
/// text is plain; the e-mail worker escapes it like any reminder's.
public struct HeldDigest: Sendable, Equatable {
    /// One held notification.
    public struct Item: Sendable, Equatable {
        /// The firing held back.
        public var eventID: UUID
        /// Its reminder.
        public var reminderID: Int
        /// The reminder's case.
        public var sagID: Int
        /// The reminder's title.
        public var title: String
        /// The case's title.
        public var caseTitle: String?
        /// The reminder's priority.
        public var priority: Priority
        /// When it was held back.
        public var heldAt: Date
        /// The channels the reminder and the user's preferences choose for it.
        public var channels: Set<Channel>
        /// The reminder was stopped, or the user dismissed it, since.
        public var isWithdrawn: Bool

        /// An item.
        public init(
            eventID: UUID, reminderID: Int, sagID: Int, title: String, caseTitle: String?, priority: Priority,
            heldAt: Date, channels: Set<Channel>, isWithdrawn: Bool
        ) {
            self.eventID = eventID
            self.reminderID = reminderID
            self.sagID = sagID
            self.title = title
            self.caseTitle = caseTitle
            self.priority = priority
            self.heldAt = heldAt
            self.channels = channels
            self.isWithdrawn = isWithdrawn
        }
    }

    /// The items the digest carries, oldest first: those that would have gone
    /// by e-mail and are still live.
    public var items: [Item]

    /// How long a held item waits for a digest at most.
    public static let horizon: TimeInterval = 7 * 86_400

    /// Picks from `held` the items a digest carries at `now`.
    public init(held: [Item], now: Date) {
        items = held
            .filter { $0.channels.contains(.email) && !$0.isWithdrawn && now.timeIntervalSince($0.heldAt) < Self.horizon }
            .sorted { ($0.heldAt, $0.eventID.uuidString) < ($1.heldAt, $1.eventID.uuidString) }
    }

    /// The subject line.
    public var title: String {
        items.count == 1 ? "1 påmindelse holdt tilbage" : "\(items.count) påmindelser holdt tilbage"
    }

    /// The highest priority among the items.
    public var priority: Priority {
        let order = Priority.allCases
        return items.map(\.priority).max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! } ?? .normal
    }

    /// One line per item: its title, and its case when known.
    public var message: String {
        var lines = ["Disse påmindelser blev holdt tilbage af grænsen pr. time:"]
        for item in items {
            lines.append("- " + item.title + (item.caseTitle.map { " (sag: \($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
