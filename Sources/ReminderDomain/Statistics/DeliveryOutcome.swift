/// What became of a notification, as the statistics and history count it: the outcome
/// statuses of the execution log.
public enum DeliveryOutcome: String, Sendable, CaseIterable, Codable {
    /// Delivered (the server accepted it, or the inbox holds it).
    case sent
    /// Given up: a permanent failure or the last attempt failed.
    case failed
    /// Held back by the per-recipient rate limit.
    case rateLimited = "rate_limited"
    /// Held until the recipient's quiet hours end.
    case deferred
    /// Not sent on purpose (channel off, dismissed, deactivated user, stopped reminder …).
    case skipped
    /// Rendered and logged instead of sent (`REMINDERS_DRY_RUN`).
    case dryRun = "dry_run"
}
