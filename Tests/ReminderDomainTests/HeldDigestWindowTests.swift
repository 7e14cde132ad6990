import Foundation
import ReminderContracts
import ReminderDomain
import Testing
import Timestamps

@Suite("Held digest window")
struct HeldDigestWindowTests {
    let copenhagen = WallClock(identifier: "Europe/Copenhagen")!
    let now = Timestamp.parse("2026-05-04T10:00:00Z")!
    let limit = RateLimitWindow(limit: 5)

    func minutesAgo(_ minutes: Double...) -> [Date] { minutes.map { now.addingTimeInterval(-$0 * 60) } }

    @Test("below the limit the digest may go at once")
    func belowLimit() {
        let window = HeldDigestWindow(rateLimit: limit, quietHours: nil)
        #expect(window.releaseTime(previous: minutesAgo(10, 20, 30, 40), now: now) == now)
        #expect(window.isOpen(previous: [], now: now))
    }

    @Test("at the limit it waits until the oldest notification of the window is an hour old")
    func atLimit() {
        let window = HeldDigestWindow(rateLimit: limit, quietHours: nil)
        let previous = minutesAgo(1, 2, 3, 4, 50)
        #expect(window.releaseTime(previous: previous, now: now) == now.addingTimeInterval(10 * 60))
        #expect(!window.isOpen(previous: previous, now: now))
        #expect(window.isOpen(previous: previous, now: now.addingTimeInterval(10 * 60)))
        #expect(!window.isOpen(previous: previous, now: now.addingTimeInterval(10 * 60 - 1)))
    }

    @Test("over the limit (notifications from before a lower limit) it waits for enough of them to leave")
    func overLimit() {
        let window = HeldDigestWindow(rateLimit: RateLimitWindow(limit: 2), quietHours: nil)
        // Four in the window, limit 2: three must leave; the third oldest (sent 20 minutes ago) leaves in 40 minutes.
        #expect(window.releaseTime(previous: minutesAgo(5, 20, 40, 55), now: now) == now.addingTimeInterval(40 * 60))
    }

    @Test("notifications older than the window, or in the future, do not count")
    func outsideWindow() {
        let window = HeldDigestWindow(rateLimit: limit, quietHours: nil)
        #expect(window.releaseTime(previous: minutesAgo(60, 61, 120, 3, 4) + [now.addingTimeInterval(60)], now: now) == now)
    }

    @Test("an open window inside quiet hours waits for their end; the window's end inside quiet hours too")
    func quietHours() {
        // 10:00Z is 12:00 in Copenhagen (summer time): quiet 11:30-13:00.
        let quiet = QuietHours(startMinute: 11 * 60 + 30, endMinute: 13 * 60, clock: copenhagen)
        let window = HeldDigestWindow(rateLimit: limit, quietHours: quiet)
        let endOfQuiet = copenhagen.date(of: .init(year: 2026, month: 5, day: 4, hour: 13, minute: 0))
        #expect(window.releaseTime(previous: [], now: now) == endOfQuiet)
        // Full window, admitting at 12:10 local: still quiet, so 13:00.
        #expect(window.releaseTime(previous: minutesAgo(1, 2, 3, 4, 50), now: now) == endOfQuiet)
        // Quiet until 12:30 local; the full window admits at 12:40 local, after them, so then.
        let shorter = HeldDigestWindow(rateLimit: limit, quietHours: QuietHours(startMinute: 11 * 60 + 30, endMinute: 12 * 60 + 30, clock: copenhagen))
        #expect(shorter.releaseTime(previous: minutesAgo(1, 2, 3, 4, 20), now: now) == now.addingTimeInterval(40 * 60))
    }

    @Test("quiet hours that wrap midnight hold the digest until the morning")
    func wrappingQuietHours() {
        let quiet = QuietHours(startMinute: 22 * 60, endMinute: 7 * 60, clock: copenhagen)
        let window = HeldDigestWindow(rateLimit: limit, quietHours: quiet)
        let night = copenhagen.date(of: .init(year: 2026, month: 5, day: 4, hour: 23, minute: 15))
        #expect(window.releaseTime(previous: [], now: night) == copenhagen.date(of: .init(year: 2026, month: 5, day: 5, hour: 7, minute: 0)))
    }
}

@Suite("Held digest")
struct HeldDigestTests {
    let now = Timestamp.parse("2026-05-04T10:00:00Z")!

    func item(_ n: Int, channels: Set<Channel> = [.email, .frontend], withdrawn: Bool = false, age: TimeInterval = 600,
              priority: Priority = .normal) -> HeldDigest.Item {
        HeldDigest.Item(
            eventID: UUID(uuidString: "00000000-0000-0000-0000-00000000000\(n)")!, reminderID: n, sagID: 1, title: "R\(n)",
            caseTitle: n == 1 ? "Server <migration>" : nil, priority: priority, heldAt: now.addingTimeInterval(-age), channels: channels,
            isWithdrawn: withdrawn
        )
    }

    @Test("carries the live items that would have gone by e-mail, oldest first")
    func picksItems() {
        let digest = HeldDigest(held: [
            item(1, age: 300), item(2, age: 900), item(3, channels: [.frontend]), item(4, withdrawn: true),
            item(5, age: 8 * 86_400),
        ], now: now)
        #expect(digest.items.map(\.reminderID) == [2, 1])
        #expect(digest.title == "2 påmindelser holdt tilbage")
        #expect(digest.message == "Disse påmindelser blev holdt tilbage af grænsen pr. time:\n- R2\n- R1 (sag: Server <migration>)")
    }

    @Test("its priority is the highest of its items; one item reads in the singular; none leaves it empty")
    func priorityAndWording() {
        #expect(HeldDigest(held: [item(1, priority: .low), item(2, priority: .high)], now: now).priority == .high)
        #expect(HeldDigest(held: [item(1)], now: now).title == "1 påmindelse holdt tilbage")
        #expect(HeldDigest(held: [item(3, channels: [.mattermost])], now: now).items.isEmpty)
    }
}
