import Foundation
import ReminderContracts
import ReminderDomain

/// What the dispatcher needs from the database.
public protocol DispatchRepository: Sendable {
    /// Plans and records one firing in one transaction: the execution log,
    /// the per-channel deliveries (through the outbox) and the rate-limited
    /// queue rows. A firing seen before changes nothing.
    func dispatch(_ event: FiredEvent, planner: DispatchPlanner) async throws -> DispatchOutcome
    /// The same for several firings in one transaction, planned in the given
    /// order (a recipient's rate-limit window sees the earlier ones); one
    /// outcome per event, in order.
    ///
    /// The store picks the plan's moment itself, once it holds the
    /// recipients' rate windows: a moment taken before waiting for them
    /// would precede notifications committed meanwhile, and the window would
    /// not count those.
    func dispatch(_ events: [FiredEvent], planner: DispatchPlanner) async throws -> [DispatchOutcome]
    /// Parks `letter` on `deadLetterTopic` (unprefixed) through the outbox,
    /// as the delivery workers park theirs.
    func park(_ letter: DeadLetter, on deadLetterTopic: String) async throws
}

extension DispatchRepository {
    public func dispatch(_ event: FiredEvent, planner: DispatchPlanner) async throws -> DispatchOutcome {
        try await dispatch([event], planner: planner)[0]
    }
}

/// What became of one firing.
public enum DispatchOutcome: Sendable, Equatable {
    /// Planned and recorded.
    case dispatched(DispatchPlan)
    /// This event id was dispatched before; nothing was written.
    case duplicate
    /// The event names a reminder that does not exist.
    case unknownReminder
}
