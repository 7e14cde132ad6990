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
