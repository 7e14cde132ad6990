import Foundation
import ReminderContracts
import ReminderDomain
import Testing
import Timestamps

@Suite("Dispatch planning")
struct DispatchPlannerTests {
    let planner = DispatchPlanner(rateLimit: RateLimitWindow(limit: 5))
    let now = Timestamp.parse("2026-06-10T10:00:00Z")! // 12:00 in Copenhagen
    let copenhagen = WallClock(identifier: "Europe/Copenhagen")!

    func reminder(
        users: [Int] = [1, 2], emails: [String] = [], flags: ChannelFlags<Bool?> = .init(email: nil, mattermost: nil, frontend: nil),
        override: Bool = false, priority: Priority = .normal, deleted: Bool = false
    ) -> ReminderSnapshot {
        ReminderSnapshot(
            id: 10, sagID: 20, caseTitle: "Printer on fire", title: "Follow up", message: "Call the customer",
            priority: priority, channelFlags: flags, overrideUserPreferences: override,
            recipientUserIDs: users, recipientEmails: emails, isDeleted: deleted
        )
    }

    func event(_ type: FiredEvent.EventType = .timeBased, recipient: Int? = nil) -> FiredEvent {
        FiredEvent(
            eventID: UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!, eventType: type,
            reminderID: 10, sagID: 20, occurredAt: now, recipientUserID: recipient
        )
    }

    func profile(_ id: Int, _ configure: (inout RecipientProfile) -> Void = { _ in }) -> RecipientProfile {
        var profile = RecipientProfile(userID: id, email: "user\(id)@example.test", mattermostUsername: "user\(id)")
        configure(&profile)
        return profile
    }

    func channels(_ plan: DispatchPlan, _ recipient: RecipientKey) -> Set<Channel> {
        Set(plan.deliveries.filter { $0.recipient == recipient }.map(\.channel))
    }

    @Test("no Mattermost username: no post in the shared channel unless the reminder asks for Mattermost", arguments: [
        (nil as String?, nil as Bool?, false), ("", nil, false), ("  ", nil, false), (nil, true, true), ("anna", nil, true), ("anna", true, true),
    ])
    func sharedChannel(username: String?, flag: Bool?, posts: Bool) {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1], flags: .init(email: nil, mattermost: flag, frontend: nil)),
            users: [profile(1) { $0.mattermostUsername = username }], recentDispatches: [:], now: now
        )
        #expect(channels(plan, .user(1)).contains(.mattermost) == posts)
        #expect(channels(plan, .user(1)).contains(.frontend))
        let skip = plan.logEntries.first { $0.channel == .mattermost && $0.status == .skipped }
        #expect((skip != nil) == !posts)
        if !posts { #expect(skip?.reason.contains("no Mattermost username") == true) }
        // The recipient is still notified (on the other channels), once.
        #expect(plan.logEntries.filter { $0.status == .dispatched }.count == 1)
    }

    @Test("a deactivated user is skipped with the reason; the others are notified")
    func deactivatedUser() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1, 2]), users: [profile(1) { $0.isActive = false }, profile(2)],
            recentDispatches: [:], now: now
        )
        #expect(channels(plan, .user(1)).isEmpty)
        #expect(channels(plan, .user(2)) == [.mattermost, .frontend])
        #expect(plan.logEntries.contains { $0.recipient == .user(1) && $0.status == .skipped && $0.reason == "the user is deactivated" })
    }

    @Test("users get their default channels; a bare address gets e-mail")
    func defaults() {
        let plan = planner.plan(
            event: event(), reminder: reminder(emails: ["Ops@Example.test"]), users: [profile(1), profile(2)],
            recentDispatches: [:], now: now
        )
        #expect(channels(plan, .user(1)) == [.mattermost, .frontend])
        #expect(channels(plan, .user(2)) == [.mattermost, .frontend])
        #expect(channels(plan, .email("ops@example.test")) == [.email])
        #expect(plan.logEntries.filter { $0.status == .dispatched }.count == 3)
        #expect(plan.rateLimited.isEmpty)
        let mail = plan.deliveries.first { $0.channel == .email }!
        #expect(mail.toAddress == "ops@example.test")
        #expect(mail.deliveryID == "00000000-0000-0000-0000-0000000000aa:email:ops@example.test:email")
    }

    @Test("the sixth notification within the hour is rate limited; another user is not")
    func rateLimited() {
        let five = (1...5).map { now.addingTimeInterval(Double(-$0 * 60)) }
        let plan = planner.plan(
            event: event(), reminder: reminder(), users: [profile(1), profile(2)],
            recentDispatches: [.user(1): five, .user(2): Array(five.prefix(4))], now: now
        )
        #expect(plan.rateLimited == [.user(1)])
        #expect(channels(plan, .user(1)).isEmpty)
        #expect(channels(plan, .user(2)) == [.mattermost, .frontend])
        let entry = plan.logEntries.first { $0.recipient == .user(1) }!
        #expect(entry.status == .rateLimited)
        #expect(entry.reason.contains("limit is 5"))
    }

    @Test("a dismissal or a running snooze silences only that recipient")
    func dismissAndSnooze() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1, 2, 3]),
            users: [profile(1) { $0.hasDismissed = true }, profile(2) { $0.snoozedUntil = now.addingTimeInterval(900) }, profile(3)],
            recentDispatches: [:], now: now
        )
        #expect(channels(plan, .user(1)).isEmpty)
        #expect(channels(plan, .user(2)).isEmpty)
        #expect(channels(plan, .user(3)) == [.mattermost, .frontend])
        #expect(plan.logEntries.first { $0.recipient == .user(1) }?.reason == "dismissed by the recipient")
        #expect(plan.logEntries.first { $0.recipient == .user(2) }?.reason.hasPrefix("snoozed until") == true)
    }

    @Test("an expired snooze no longer silences")
    func expiredSnooze() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1]), users: [profile(1) { $0.snoozedUntil = now.addingTimeInterval(-1) }],
            recentDispatches: [:], now: now
        )
        #expect(channels(plan, .user(1)) == [.mattermost, .frontend])
    }

    @Test("a snooze re-fire reaches only the user who snoozed")
    func snoozeRefire() {
        let plan = planner.plan(
            event: event(.snooze, recipient: 2), reminder: reminder(users: [1, 2], emails: ["x@example.test"]),
            users: [profile(1), profile(2) { $0.snoozedUntil = now.addingTimeInterval(60) }],
            recentDispatches: [:], now: now
        )
        #expect(Set(plan.deliveries.map(\.recipient)) == [.user(2)])
    }

    @Test("quiet hours hold e-mail and Mattermost until the window ends; the inbox gets it at once")
    func quietHours() throws {
        let quiet = QuietHours(startMinute: 11 * 60, endMinute: 13 * 60, clock: copenhagen)
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1], flags: .init(email: true, mattermost: true, frontend: true)),
            users: [profile(1) { $0.quietHours = quiet; $0.preferences = .init(email: true, mattermost: true, frontend: true) }],
            recentDispatches: [:], now: now
        )
        let release = Timestamp.parse("2026-06-10T11:00:00Z")!
        #expect(plan.deliveries.first { $0.channel == .email }?.notBefore == release)
        #expect(plan.deliveries.first { $0.channel == .mattermost }?.notBefore == release)
        #expect(plan.deliveries.first { $0.channel == .frontend }?.notBefore == nil)
        #expect(plan.logEntries.filter { $0.status == .deferred }.map(\.channel) == [.email, .mattermost])
    }

    @Test("urgent priority ignores quiet hours")
    func urgent() {
        let quiet = QuietHours(startMinute: 11 * 60, endMinute: 13 * 60, clock: copenhagen)
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1], priority: .urgent),
            users: [profile(1) { $0.quietHours = quiet }], recentDispatches: [:], now: now
        )
        #expect(plan.deliveries.allSatisfy { $0.notBefore == nil })
        #expect(!plan.logEntries.contains { $0.status == .deferred })
    }

    @Test("e-mail goes to the override address when set")
    func emailOverride() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1], flags: .init(email: true, mattermost: false, frontend: false), override: true),
            users: [profile(1) { $0.emailOverride = "desk@example.test" }], recentDispatches: [:], now: now
        )
        #expect(plan.deliveries.map(\.toAddress) == ["desk@example.test"])
    }

    @Test("a user without an address and only e-mail chosen is skipped and not counted against the limit")
    func noAddress() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1], flags: .init(email: true, mattermost: false, frontend: false), override: true),
            users: [profile(1) { $0.email = nil }], recentDispatches: [:], now: now
        )
        #expect(plan.deliveries.isEmpty)
        #expect(!plan.logEntries.contains { $0.status == .dispatched })
        #expect(plan.logEntries.contains { $0.status == .skipped && $0.channel == .email })
    }

    @Test("unknown users, a deleted reminder and an empty channel choice are skipped with a reason")
    func skips() {
        let unknown = planner.plan(event: event(), reminder: reminder(users: [99]), users: [], recentDispatches: [:], now: now)
        #expect(unknown.logEntries == [.init(recipient: .user(99), status: .skipped, reason: "no such user")])

        let deleted = planner.plan(event: event(), reminder: reminder(deleted: true), users: [profile(1)], recentDispatches: [:], now: now)
        #expect(deleted.deliveries.isEmpty)
        #expect(deleted.logEntries.first?.status == .skipped)

        let none = planner.plan(
            event: event(), reminder: reminder(users: [1], flags: .init(email: false, mattermost: false, frontend: false)),
            users: [profile(1)], recentDispatches: [:], now: now
        )
        #expect(none.deliveries.isEmpty)
        #expect(none.logEntries.first?.reason == "no channel chosen by preferences and reminder")
    }

    @Test("recipients listed twice are notified once")
    func duplicates() {
        let plan = planner.plan(
            event: event(), reminder: reminder(users: [1, 1], emails: ["a@example.test", "A@example.test "]),
            users: [profile(1)], recentDispatches: [:], now: now
        )
        #expect(plan.logEntries.filter { $0.status == .dispatched }.count == 2)
    }

    @Test("dedupe keys name event, recipient, channel and outcome")
    func dedupeKeys() {
        let entry = DispatchPlan.LogEntry(recipient: .user(7), channel: .email, status: .deferred, reason: "")
        let id = UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!
        #expect(entry.dedupeKey(eventID: id) == "dispatch:00000000-0000-0000-0000-0000000000aa:user:7:email:deferred")
    }
}
