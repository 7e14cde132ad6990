import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

/// Where a decided delivery goes, inside the deciding stage's transaction:
/// an in-app one straight into the inbox (``InboxWriter``), every other one
/// into the outbox for its channel's worker (``DeliveryOutbox``).
public enum DeliveryHandoff {
    /// Hands on `deliveries` on `connection`; in-app entries are stamped `now`.
    /// Returns the in-app deliveries written (the others are only queued).
    @discardableResult
    public static func handOn(_ deliveries: [Delivery], now: Date, on connection: PostgresConnection) async throws -> [DeliveryRecord] {
        var inApp: [Delivery] = []
        var queued: [Delivery] = []
        for delivery in deliveries {
            if delivery.channel.deliveryTopic == nil { inApp.append(delivery) } else { queued.append(delivery) }
        }
        try await DeliveryOutbox.insert(queued, on: connection)
        return inApp.isEmpty ? [] : try await InboxWriter.write(inApp, now: now, on: connection)
    }
}
