import Foundation
import ReminderContracts

/// One step of a reminder's `escalation`: when nobody reacted to a firing
/// within `afterMinutes`, notify `toUserIDs` on `channels`.
public struct EscalationStep: Codable, Sendable, Equatable {
    /// Minutes after the firing.
    public var afterMinutes: Int
    /// Who gets the escalation.
    public var toUserIDs: [Int]
    /// On which channels (still subject to the users' preferences and quiet hours).
    public var channels: [Channel]

    enum CodingKeys: String, CodingKey {
        case afterMinutes = "after_minutes"
        case toUserIDs = "to_user_ids"
        case channels
    }

    /// A step.
    public init(afterMinutes: Int, toUserIDs: [Int], channels: [Channel]) {
        self.afterMinutes = afterMinutes
        self.toUserIDs = toUserIDs
        self.channels = channels
    }
}
