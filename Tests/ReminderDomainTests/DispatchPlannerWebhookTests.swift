import Foundation
import ReminderContracts
import ReminderDomain
import Testing
import Timestamps

@Suite("Dispatch planning: webhook subscriptions")
struct DispatchPlannerWebhookTests {
    let base = DispatchPlannerTests()
    let first = UUID(uuidString: "11111111-1111-1111-1111-111111111111")!
    let second = UUID(uuidString: "22222222-2222-2222-2222-222222222222")!

    @Test("one webhook delivery per subscription, stable ids, no quiet hours, outside the rate limit")
    func perSubscription() {
        let quiet = QuietHours(startMinute: 0, endMinute: 23 * 60 + 59, clock: base.copenhagen)
        let previous = Array(repeating: base.now.addingTimeInterval(-60), count: 10)
        var plan = base.planner.plan(
            event: base.event(), reminder: base.reminder(users: [1]), users: [base.profile(1) { $0.quietHours = quiet }],
            recentDispatches: [.user(1): previous], now: base.now
        )
        #expect(plan.rateLimited == [.user(1)])
        base.planner.addWebhooks(to: &plan, event: base.event(), reminder: base.reminder(users: [1]), subscriptions: [second, first, second])
        let webhooks = plan.deliveries.filter { $0.channel == .webhook }
        #expect(webhooks.map(\.webhookSubscriptionID) == [first, second])
        #expect(webhooks.allSatisfy { $0.notBefore == nil && $0.recipientUserID == nil && $0.recipientEmail == nil })
        #expect(webhooks[0].deliveryID == DispatchPlanner.webhookDeliveryID(firing: base.event().eventID, subscription: first))
        #expect(webhooks[0].deliveryID != webhooks[1].deliveryID)
        #expect(webhooks[0].messageKey == "webhook:11111111-1111-1111-1111-111111111111")
        #expect(webhooks[0].firedAt == base.now)
        #expect(plan.logEntries.contains { $0.channel == .webhook && $0.status == .dispatched && $0.recipient == nil })
    }

    @Test("none for a deleted reminder, a snooze re-fire, or without subscriptions")
    func none() {
        var plan = DispatchPlan()
        base.planner.addWebhooks(to: &plan, event: base.event(), reminder: base.reminder(deleted: true), subscriptions: [first])
        base.planner.addWebhooks(to: &plan, event: base.event(.snooze, recipient: 1), reminder: base.reminder(), subscriptions: [first])
        base.planner.addWebhooks(to: &plan, event: base.event(), reminder: base.reminder(), subscriptions: [])
        #expect(plan.deliveries.isEmpty)
        #expect(plan.logEntries.isEmpty)
    }

    @Test("preferences never choose the webhook channel")
    func preferences() {
        let all = ChannelPreferences.channels(
            user: .init(email: true, mattermost: true, frontend: true), reminder: .init(email: true, mattermost: true, frontend: true),
            overrideUserPreferences: true
        )
        #expect(all == [.email, .mattermost, .frontend])
        #expect(!Channel.webhook.respectsQuietHours)
        #expect(!Channel.webhook.isPersonal)
        #expect(Channel.webhook.deliveryTopic == "reminders.deliver.webhook")
    }
}
