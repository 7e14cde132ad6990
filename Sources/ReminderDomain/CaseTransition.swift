/// How a change of a case's status or deletion affects its reminders.
public enum CaseTransition: Sendable, Equatable {
    /// The case became closed: its reminders complete.
    case closed
    /// The case left the closing statuses: recurring reminders re-arm.
    case reopened
    /// Neither.
    case unchanged
}
