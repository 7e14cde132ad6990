import Foundation

/// The case statuses that close a case (`REMINDERS_CASE_CLOSED_STATUSES`),
/// and what closing and reopening mean for the case's reminders.
///
/// A closed case, or a soft-deleted one, completes its live `time_based` and
/// `deadline_approaching` reminders; reopening it (leaving every closing
/// status) re-arms the recurring time-based ones at their next occurrence
/// after the reopening, so the periods missed while closed never fire.
public struct CaseClosingStatuses: Sendable, Equatable {
    /// The statuses, exactly as the case table spells them.
    public var statuses: Set<String>

    /// The default: `afsluttet` and `lukket`.
    public static let defaultText = "afsluttet,lukket"

    /// Creates the rule from a list of statuses.
    public init(_ statuses: some Sequence<String>) {
        self.statuses = Set(statuses)
    }

    /// Parses a comma-separated list, trimming blanks and dropping empty
    /// items; `nil` when an item holds a character a status cannot hold
    /// (a control character or a quote).
    public init?(parsing text: String) {
        var statuses: Set<String> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let status = item.trimmingCharacters(in: .whitespaces)
            if status.isEmpty { continue }
            if status.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\"" || $0 == "'" }) {
                return nil
            }
            statuses.insert(status)
        }
        self.statuses = statuses
    }

    /// Whether a case with this status and deletion time counts as closed.
    public func isClosed(status: String, deleted: Bool) -> Bool {
        deleted || statuses.contains(status)
    }

    /// What a case change means for the case's reminders.
    public func transition(
        from old: (status: String, deleted: Bool), to new: (status: String, deleted: Bool)
    ) -> CaseTransition {
        let was = isClosed(status: old.status, deleted: old.deleted)
        let now = isClosed(status: new.status, deleted: new.deleted)
        switch (was, now) {
        case (false, true): return .closed
        case (true, false): return .reopened
        default: return .unchanged
        }
    }

    /// When a reminder the case completed comes back after a reopening at
    /// `reopenedAt`: its next occurrence strictly after that moment, or `nil`
    /// for a reminder that does not repeat (it stays completed).
    public static func rearmTime(of recurrence: Recurrence, reopenedAt: Date) -> Date? {
        guard recurrence.type != .once else { return nil }
        return recurrence.firstOccurrence(after: reopenedAt)
    }
}
