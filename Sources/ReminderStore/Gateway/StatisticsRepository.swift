import ReminderDomain

/// Statistics of a case's notifications and a user's notification history, from the execution
/// log and the in-app inbox, on indexes (migration 121) so that neither scans the log.
public protocol StatisticsRepository: Sendable {
    /// The case's outcomes in the window (access is the caller's to check).
    func caseStatistics(sagID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics
    /// The user's own outcomes in the window.
    func userStatistics(userID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics
    /// The user's own outcomes in the window, newest first, below the log row `before`; at most `limit`.
    func history(userID: Int, filter: StatisticsFilter, before: Int?, limit: Int) async throws -> [HistoryEntry]
}
