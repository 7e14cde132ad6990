import Foundation

/// The rules of escalation, pure: which steps a reminder may carry, and when
/// a step of a firing fires or stops.
///
/// A step fires once its time after the firing has passed and no original
/// recipient acknowledged or dismissed the reminder since the firing; an
/// acknowledgement or dismissal by any original recipient stops every step
/// still to come. Each step fires at most once per firing.
public enum EscalationPlanner {
    /// The most steps a reminder may carry.
    public static let maximumSteps = 5
    /// The longest wait of a step: 30 days.
    public static let afterMinutesRange = 1...43_200
    /// The most users one step may notify.
    public static let maximumUsersPerStep = 50

    /// A reaction of a recipient to a reminder.
    public struct Reaction: Sendable, Equatable {
        /// What the recipient did.
        public enum Kind: String, Sendable {
            case acknowledged, dismissed
        }

        /// Who.
        public var userID: Int
        /// What.
        public var kind: Kind
        /// When.
        public var at: Date

        /// A reaction.
        public init(userID: Int, kind: Kind, at: Date) {
            self.userID = userID
            self.kind = kind
            self.at = at
        }
    }

    /// Why a list of steps is refused: the field (as a JSON path under
    /// `escalation`) and the rule it breaks.
    public struct Problem: Error, Sendable, Equatable {
        /// For example `escalation[1].after_minutes`.
        public var field: String
        /// What is wrong with it.
        public var detail: String
    }

    /// Checks the steps' shape; whether the users exist and are active is for
    /// the store to say.
    public static func validate(_ steps: [EscalationStep]) -> Problem? {
        if steps.count > maximumSteps {
            return Problem(field: "escalation", detail: "at most \(maximumSteps) steps")
        }
        var previous: Int?
        for (index, step) in steps.enumerated() {
            let path = "escalation[\(index)]"
            if !afterMinutesRange.contains(step.afterMinutes) {
                return Problem(
                    field: path + ".after_minutes",
                    detail: "must be between \(afterMinutesRange.lowerBound) and \(afterMinutesRange.upperBound)"
                )
            }
            if let previous, step.afterMinutes <= previous {
                return Problem(field: path + ".after_minutes", detail: "must be later than the step before (\(previous))")
            }
            previous = step.afterMinutes
            if step.toUserIDs.isEmpty {
                return Problem(field: path + ".to_user_ids", detail: "a step needs at least one user")
            }
            if step.toUserIDs.count > maximumUsersPerStep {
                return Problem(field: path + ".to_user_ids", detail: "at most \(maximumUsersPerStep) users")
            }
            if Set(step.toUserIDs).count != step.toUserIDs.count {
                return Problem(field: path + ".to_user_ids", detail: "lists a user twice")
            }
            if step.channels.isEmpty {
                return Problem(field: path + ".channels", detail: "a step needs at least one channel")
            }
            if Set(step.channels).count != step.channels.count {
                return Problem(field: path + ".channels", detail: "lists a channel twice")
            }
        }
        return nil
    }

    /// When step `index` of a firing at `firedAt` is due.
    public static func dueTime(of step: EscalationStep, firedAt: Date) -> Date {
        firedAt.addingTimeInterval(TimeInterval(step.afterMinutes) * 60)
    }

    /// The decision for `step` (number `index`, from 0) of a firing at
    /// `firedAt`, at `now`.
    /// - Parameters:
    ///   - recipients: the reminder's own user recipients (the firing's).
    ///   - reactions: the reminder's acknowledgements and dismissals.
    ///   - settled: whether this step fired or stopped before.
    ///   - reminderStopped: the reminder was deleted, deactivated or completed since.
    public static func decide(
        step: EscalationStep, index: Int, firedAt: Date, now: Date, recipients: Set<Int>,
        reactions: [Reaction], settled: Bool, reminderStopped: Bool
    ) -> EscalationDecision {
        if settled { return .settled }
        let label = "escalation step \(index + 1)"
        if reminderStopped {
            return .stop(reason: "\(label) stopped: the reminder was stopped or completed")
        }
        let due = dueTime(of: step, firedAt: firedAt)
        let reaction = reactions
            .filter { recipients.contains($0.userID) && $0.at >= firedAt && $0.at <= now }
            .min { ($0.at, $0.userID) < ($1.at, $1.userID) }
        if let reaction {
            return .stop(reason: "\(label) stopped: \(reaction.kind.rawValue) by user \(reaction.userID)")
        }
        guard now >= due else { return .wait(until: due) }
        let users = step.toUserIDs.map(String.init).joined(separator: ", ")
        return .fire(reason: "\(label): nobody acknowledged within \(step.afterMinutes) minute\(step.afterMinutes == 1 ? "" : "s"); escalated to user \(users)")
    }
}
