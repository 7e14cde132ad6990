import Foundation
import IntegrationSupport
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

/// What a person stops stays stopped: deliveries of a reminder deleted or
/// deactivated after its dispatch, and notifications to deactivated users.
@Suite("Stopped reminders, deactivated users, no Mattermost username", .timeLimit(.minutes(2)))
struct StoppedReminderTests {
    @Test("a reminder deleted after its dispatch: its deliveries (first tries and retries) are logged skipped, none is sent")
    func deletedAfterDispatch() async throws {
        try await withSMTPSink { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                let smtp = EmailSender.smtpConfiguration(host: "127.0.0.1", port: sink.port, user: "", password: "", useTLS: false)
                let worker = bench.worker(bench.configuration(.email), sender: try emailSender(smtp))
                var retry = bench.delivery(.email, title: "Retry of a stopped reminder", index: 1)
                retry.attempt = 2
                let deliveries = [bench.delivery(.email, title: "Stopped", index: 0), retry]
                try await bench.postgres.query(
                    "UPDATE sag_reminders SET deleted_at = now(), is_active = FALSE, stopped_at = now() WHERE id = $1", [bench.reminderID]
                )
                try await bench.enqueue(deliveries)
                try await bench.run([worker]) {
                    let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        var skipped = 0
                        for delivery in deliveries { skipped += try await bench.logCount(delivery.deliveryID, "skipped") }
                        return skipped == deliveries.count
                    }
                    #expect(done)
                }
                #expect(try sink.messages().isEmpty)
                let reasons = try await bench.postgres.query(
                    "SELECT DISTINCT reason FROM sag_reminder_logs WHERE status = 'skipped' AND reminder_id = $1", [bench.reminderID]
                )
                #expect(try reasons.map { try $0.decode("reason", as: String.self) } == ["the reminder was deleted or deactivated before it was sent"])
            }
        }
    }

    @Test("the dispatcher skips a deactivated user, and the shared Mattermost channel for a user without username, with logged reasons")
    func deactivatedUserSkipped() async throws {
        try await TestDatabase.with { _, postgres in
            let active = try await Fixtures.user(postgres)
            let gone = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            try await postgres.query("INSERT INTO user_notification_preferences (user_id, mattermost_username) VALUES ($1, 'anna')", [active])
            let noUsername = try await Fixtures.user(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [active, gone, noUsername])
            try await postgres.query("UPDATE users SET is_active = FALSE WHERE user_id = $1", [gone])
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let event = try await Fixtures.firstFiredEvent(postgres)
            let outcome = try await PostgresDispatchRepository(postgres: postgres)
                .dispatch(event, planner: DispatchPlanner(rateLimit: RateLimitWindow(limit: 5)))
            guard case .dispatched(let plan) = outcome else {
                Issue.record("expected a plan, got \(outcome)")
                return
            }
            #expect(Set(plan.deliveries.filter { $0.recipientUserID == active }.map(\.channel)) == [.mattermost, .frontend])
            #expect(plan.deliveries.first { $0.recipientUserID == active && $0.channel == .mattermost }?.mattermostUsername == "anna")
            #expect(Set(plan.deliveries.filter { $0.recipientUserID == noUsername }.map(\.channel)) == [.frontend])
            #expect(!plan.deliveries.contains { $0.recipientUserID == gone })
            let channelSkip = try await postgres.query(
                "SELECT reason FROM sag_reminder_logs WHERE user_id = $1 AND status = 'skipped' AND channel = 'mattermost'", [noUsername]
            )
            #expect(try channelSkip.first?.decode("reason", as: String.self).contains("no Mattermost username") == true)
            let skipped = try await postgres.query(
                "SELECT reason FROM sag_reminder_logs WHERE user_id = $1 AND status = 'skipped'", [gone]
            )
            #expect(try skipped.map { try $0.decode("reason", as: String.self) } == ["the user is deactivated"])
        }
    }
}
