import ReminderDomain

/// How the scheduler runs.
public struct SchedulerConfiguration: Sendable {
    /// `REMINDERS_ENABLED`: when false the scheduler idles. Default false.
    public var enabled = false
    /// Reminders claimed per transaction. Default 500.
    public var batchSize = 500
    /// Firing transactions at a time when many are due (`SCHEDULER_CONCURRENCY`).
    /// Default 2.
    public var concurrency = 2
    /// `REMINDERS_CHECK_INTERVAL_MINUTES`: the longest sleep, a safety sweep
    /// in case a wake-up was missed. Default 5 minutes.
    public var longestSleep: Duration = .seconds(300)
    /// `REMINDERS_CASE_CLOSED_STATUSES`: the case statuses that complete the
    /// case's time-based and deadline reminders (written to the database at
    /// start, where the case trigger reads them). Default `afsluttet,lukket`.
    public var caseClosingStatuses = CaseClosingStatuses(parsing: CaseClosingStatuses.defaultText)!
    /// Longest pause after a failure. Default 5 s.
    public var maximumBackoff: Duration = .seconds(5)

    /// The defaults.
    public init() {}
}
