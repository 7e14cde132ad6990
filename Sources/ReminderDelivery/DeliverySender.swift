import ReminderContracts
import ReminderDomain

/// Sends one channel's notifications to the outside world (SMTP, a webhook).
public protocol DeliverySender: Sendable {
    /// Renders what would be sent; throws `DeliveryError` (`.rendering`) when the delivery
    /// can never be sent (e.g. no address).
    func render(_ delivery: Delivery) throws -> RenderedNotification

    /// Sends a rendered notification and says how it went. Throws only
    /// `CancellationError`.
    func send(_ notification: RenderedNotification) async throws -> SendOutcome
}
