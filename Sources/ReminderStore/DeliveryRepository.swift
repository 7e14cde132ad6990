import Foundation
import ReminderDomain

/// What the delivery workers need from the database. Every method is one
/// transaction; each recording first claims the delivery's row, so a message
/// handled before (or a delivery already finished) changes nothing.
public protocol DeliveryRepository: Sendable {
    /// How far the delivery got, or `nil` when no attempt was recorded yet.
    func state(ofDelivery deliveryID: String) async throws -> DeliveryState?

    /// Records what became of attempt `delivery.attempt`: the delivery's row,
    /// a log row, and for a retry the next attempt (through the outbox, held
    /// until its time) or for a dead delivery its dead letter (through the
    /// outbox). Returns `false`, writing nothing, when this attempt or a final
    /// outcome was recorded before.
    func record(_ result: DeliveryResult, of delivery: Delivery, now: Date) async throws -> Bool

    /// Writes the in-app inbox entry (which notifies listeners) and records the
    /// delivery as sent. Returns `false`, writing nothing, when it was handled before.
    func deliverToInbox(_ delivery: Delivery, now: Date) async throws -> Bool

    /// Parks a message that is not a readable delivery: a `failed` log row and
    /// its dead letter on `deadLetterTopic` (through the outbox). Returns
    /// `false` when this message (topic, partition, offset) was parked before.
    func parkUnreadable(_ letter: DeadLetter, channel: Channel, deadLetterTopic: String, now: Date) async throws -> Bool

    /// Puts a dead letter's message back on its topic (through the outbox) and
    /// logs the replay; a delivery's row is reopened so the worker acts on it.
    /// Returns `false` when this letter was replayed before.
    func replay(_ request: DeliveryReplay, now: Date) async throws -> Bool
}

/// Where a delivery stands.
public struct DeliveryState: Sendable, Equatable {
    /// The status.
    public var status: DeliveryStatus
    /// The highest attempt number handled; -1 when none.
    public var handledAttempt: Int

    /// Creates a state.
    public init(status: DeliveryStatus, handledAttempt: Int) {
        self.status = status
        self.handledAttempt = handledAttempt
    }

    /// Whether a message carrying attempt `attempt` has nothing left to do.
    public func hasHandled(attempt: Int) -> Bool {
        status.isFinal || attempt <= handledAttempt
    }
}

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

/// An operator's replay of one dead letter.
public struct DeliveryReplay: Sendable {
    /// Names the letter (dead-letter topic, partition, offset): a letter is replayed once.
    public var letterKey: String
    /// The unprefixed topic to publish to.
    public var topic: String
    /// The message key.
    public var key: String?
    /// The message's new event id.
    public var eventID: UUID
    /// The JSON value to publish (carrying `eventID`).
    public var payload: String
    /// The delivery, when the letter holds one: its row is reopened.
    public var delivery: Delivery?
    /// The parked message's reason, for the log.
    public var reason: String

    /// Creates a replay request.
    public init(letterKey: String, topic: String, key: String?, eventID: UUID, payload: String, delivery: Delivery?, reason: String) {
        self.letterKey = letterKey
        self.topic = topic
        self.key = key
        self.eventID = eventID
        self.payload = payload
        self.delivery = delivery
        self.reason = reason
    }
}
