/// What makes a reminder fire (`sag_reminders.trigger_type`).
public enum TriggerType: String, Codable, Sendable, CaseIterable {
    /// The case's status changes to `trigger_config.target_status`.
    case statusChange = "status_change"
    /// The case's deadline comes within `trigger_config.hours_before`.
    case deadlineApproaching = "deadline_approaching"
    /// At `scheduled_at`, and again as the recurrence says.
    case timeBased = "time_based"
}
