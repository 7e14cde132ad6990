import Foundation
import ReminderContracts

extension DispatchPlanner {
    /// Adds one `webhook` delivery per subscription to a firing's plan. Webhooks go
    /// to systems, not people: no preferences, no quiet hours and no per-person
    /// rate limit apply. A deleted or deactivated reminder and a snooze re-fire
    /// (one person's reminder again) send none. The delivery id is stable per
    /// (firing, subscription), so a redelivered firing or a retry keeps it, and
    /// with it the `webhook-id` the receiver dedupes on.
    public func addWebhooks(
        to plan: inout DispatchPlan, event: FiredEvent, reminder: ReminderSnapshot, subscriptions: [UUID], makeID: () -> UUID = UUID.init
    ) {
        guard !reminder.isDeleted, event.eventType != .snooze, event.recipientUserID == nil, event.recipientEmail == nil else { return }
        var seen = Set<UUID>()
        let targets = subscriptions.filter { seen.insert($0).inserted }.sorted { $0.uuidString < $1.uuidString }
        guard !targets.isEmpty else { return }
        for subscription in targets {
            plan.deliveries.append(Delivery(
                eventID: makeID(),
                deliveryID: Self.webhookDeliveryID(firing: event.eventID, subscription: subscription),
                firedEventID: event.eventID,
                reminderID: reminder.id,
                sagID: reminder.sagID,
                caseTitle: reminder.caseTitle,
                channel: .webhook,
                recipientUserID: nil,
                recipientEmail: nil,
                toAddress: nil,
                mattermostUsername: nil,
                title: reminder.title,
                message: reminder.message,
                priority: reminder.priority,
                notBefore: nil,
                firedAt: event.occurredAt,
                webhookSubscriptionID: subscription
            ))
        }
        plan.logEntries.append(.init(
            recipient: nil, channel: .webhook, status: .dispatched,
            reason: "webhook subscriptions: " + targets.map { $0.uuidString.lowercased() }.joined(separator: ", ")
        ))
    }

    /// The delivery id of a firing's webhook call to one subscription.
    public static func webhookDeliveryID(firing: UUID, subscription: UUID) -> String {
        "\(firing.uuidString.lowercased()):webhook-\(subscription.uuidString.lowercased()):webhook"
    }
}
