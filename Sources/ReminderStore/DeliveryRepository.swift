import Foundation
import ReminderContracts
import ReminderDomain

/// What the delivery workers need from the database.
///
/// A delivery is claimed before it is sent: ``deliver(_:now:act:)`` claims a
/// batch, sends it and records the outcomes in one transaction, so a rival
/// worker (after a rebalance, or given the same message twice) waits on the
/// claim and then finds the delivery handled. Each accepted send is also noted
/// at once, outside that transaction (``noteAccepted(_:)``), so a worker that
/// dies before its batch commits costs at most the sends accepted in the last
/// moments before the note: the next owner records the noted ones as sent.
public protocol DeliveryRepository: Sendable {
    /// In one transaction: claims the deliveries not handled before (for a
    /// delivery given more than once, its highest attempt), passes them to
    /// `act`, which returns each one's result in the same order, and records
    /// the results: the delivery's row, a log row, and for a retry the next
    /// attempt or for a dead delivery its dead letter, through the outbox.
    /// In-app deliveries never reach a worker: ``InboxWriter`` writes them.
    ///
    /// A claimed delivery whose acceptance was noted before (by a worker that
    /// died before recording it) is not passed to `act`: it is recorded as sent.
    ///
    /// Log rows are stamped `now`, or when the outcomes were recorded if `act`
    /// ran past it.
    ///
    /// Returns what was recorded. Throws ``UnrecordedDeliveries`` when `act`
    /// ran but the transaction failed afterwards.
    func deliver(
        _ deliveries: [Delivery], now: Date, act: @Sendable ([Delivery]) async throws -> [DeliveryResult]
    ) async throws -> [DeliveryRecord]

    /// Notes accepted sends at once, in their own transaction.
    func noteAccepted(_ acceptances: [DeliveryAcceptance]) async throws

    /// Records outcomes reached before (see ``UnrecordedDeliveries``) in one
    /// transaction, each only if its delivery is still unhandled. Returns the
    /// records written.
    func record(_ records: [DeliveryRecord], now: Date) async throws -> [DeliveryRecord]

    /// Parks a message that is not a readable delivery: a `failed` log row and
    /// its dead letter on `deadLetterTopic` (through the outbox). Returns
    /// `false` when this message (topic, partition, offset) was parked before.
    func parkUnreadable(_ letter: DeadLetter, channel: Channel, deadLetterTopic: String, now: Date) async throws -> Bool

    /// Puts a dead letter's message back on its topic (through the outbox) and
    /// logs the replay; a delivery's row is reopened so the worker acts on it.
    /// Returns `false` when this letter was replayed before.
    func replay(_ request: DeliveryReplay, now: Date) async throws -> Bool
}
