import Foundation

/// What to do with one escalation step of one firing now.
public enum EscalationDecision: Sendable, Equatable {
    /// Not yet due: look again at this time.
    case wait(until: Date)
    /// Due and nobody reacted: notify the step's users.
    case fire(reason: String)
    /// Someone reacted, or the reminder stopped: the step never fires.
    case stop(reason: String)
    /// It fired or stopped before: nothing more (each step at most once per firing).
    case settled
}
