/// The status of a delivery in `sag_reminder_deliveries`.
public enum DeliveryStatus: String, Sendable, CaseIterable {
    /// A later attempt is scheduled.
    case retrying
    /// Sent (or written to the inbox).
    case sent
    /// Rendered and logged, not sent (`REMINDERS_DRY_RUN`).
    case dryRun = "dry_run"
    /// Not sent because the channel is switched off.
    case skipped
    /// Given up: parked on the dead-letter topic.
    case dead
    /// Reopened by an operator's replay.
    case replayed

    /// Whether nothing more happens to the delivery (short of a replay).
    public var isFinal: Bool {
        switch self {
        case .sent, .dryRun, .skipped, .dead: true
        case .retrying, .replayed: false
        }
    }
}
