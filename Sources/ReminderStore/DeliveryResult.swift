import Foundation
import ReminderContracts
import ReminderDomain

/// What became of one delivery attempt.
public enum DeliveryResult: Sendable, Equatable {
    /// Delivered; `messageID` for e-mail.
    case sent(messageID: String?)
    /// Rendered only; `rendered` is what would have been sent.
    case dryRun(rendered: JSONValue)
    /// Not attempted, for `reason`.
    case skipped(reason: String)
    /// Failed for a passing reason; `next` (attempt + 1, a new event id) goes
    /// out at `availableAt`.
    case retry(reason: String, next: Delivery, availableAt: Date)
    /// Failed for good (or out of attempts); parked as `letter` on `deadLetterTopic`.
    case dead(reason: String, letter: DeadLetter, deadLetterTopic: String)

    var status: DeliveryStatus {
        switch self {
        case .sent: .sent
        case .dryRun: .dryRun
        case .skipped: .skipped
        case .retry: .retrying
        case .dead: .dead
        }
    }

    /// The log row's status.
    var logStatus: String {
        switch self {
        case .dead: "failed"
        default: status.rawValue
        }
    }
}
