import Foundation

/// One escalation step the scheduler settled.
public struct EscalationOutcome: Sendable, Equatable {
    /// The firing it belongs to.
    public var eventID: UUID
    /// The step, from 0.
    public var step: Int
    /// The reminder.
    public var reminderID: Int
    /// Whether it fired (otherwise it stopped).
    public var fired: Bool
    /// Why, as logged.
    public var reason: String

    /// An outcome.
    public init(eventID: UUID, step: Int, reminderID: Int, fired: Bool, reason: String) {
        self.eventID = eventID
        self.step = step
        self.reminderID = reminderID
        self.fired = fired
        self.reason = reason
    }
}
