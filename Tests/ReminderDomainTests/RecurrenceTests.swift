import Foundation
import ReminderDomain
import Testing
import Timestamps

@Suite("Recurrence")
struct RecurrenceTests {
    let copenhagen = WallClock(identifier: "Europe/Copenhagen")!

    func local(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int) -> Date {
        copenhagen.date(of: .init(year: y, month: m, day: d, hour: h, minute: min))
    }

    func utc(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test("daily keeps 09:00 wall-clock time across spring-forward (2026-03-29)")
    func dailyAcrossSpringForward() {
        let recurrence = Recurrence(type: .daily, anchor: local(2026, 3, 27, 9, 0), clock: copenhagen)
        #expect(recurrence.occurrence(0) == utc("2026-03-27T08:00:00Z"))
        #expect(recurrence.occurrence(1) == utc("2026-03-28T08:00:00Z"))
        #expect(recurrence.occurrence(2) == utc("2026-03-29T07:00:00Z"))
        #expect(recurrence.occurrence(3) == utc("2026-03-30T07:00:00Z"))
    }

    @Test("daily keeps 09:00 wall-clock time across fall-back (2026-10-25)")
    func dailyAcrossFallBack() {
        let recurrence = Recurrence(type: .daily, anchor: local(2026, 10, 24, 9, 0), clock: copenhagen)
        #expect(recurrence.occurrence(0) == utc("2026-10-24T07:00:00Z"))
        #expect(recurrence.occurrence(1) == utc("2026-10-25T08:00:00Z"))
        #expect(recurrence.occurrence(2) == utc("2026-10-26T08:00:00Z"))
    }

    @Test("weekly keeps its wall-clock time across both DST changes")
    func weeklyAcrossBoth() {
        let spring = Recurrence(type: .weekly, anchor: local(2026, 3, 23, 14, 15), clock: copenhagen)
        #expect(spring.occurrence(1) == utc("2026-03-30T12:15:00Z"))
        let autumn = Recurrence(type: .weekly, anchor: local(2026, 10, 19, 14, 15), clock: copenhagen)
        #expect(autumn.occurrence(1) == utc("2026-10-26T13:15:00Z"))
    }

    @Test("daily at 02:30: on the spring-forward night it moves past the gap to 03:30, then returns to 02:30")
    func dailyInTheGap() {
        let recurrence = Recurrence(type: .daily, anchor: local(2026, 3, 28, 2, 30), clock: copenhagen)
        let gapNight = recurrence.occurrence(1)!
        #expect(gapNight == utc("2026-03-29T01:30:00Z"))
        #expect(copenhagen.reading(at: gapNight) == .init(year: 2026, month: 3, day: 29, hour: 3, minute: 30))
        #expect(recurrence.occurrence(2) == utc("2026-03-30T00:30:00Z"))
        #expect(copenhagen.reading(at: recurrence.occurrence(2)!).hour == 2)
    }

    @Test("daily at 02:30 on the fall-back night fires at the first 02:30, once")
    func dailyInTheRepeatedHour() {
        let recurrence = Recurrence(type: .daily, anchor: local(2026, 10, 24, 2, 30), clock: copenhagen)
        #expect(recurrence.occurrence(1) == utc("2026-10-25T00:30:00Z"))
        #expect(recurrence.occurrence(2) == utc("2026-10-26T01:30:00Z"))
    }

    @Test("monthly on 31 January clamps to the end of February, then returns to the 31st",
          arguments: [(2026, 28), (2027, 28), (2028, 29), (2100, 28), (2000, 29)])
    func monthlyClamp(year: Int, februaryDays: Int) {
        let recurrence = Recurrence(type: .monthly, anchor: local(year, 1, 31, 10, 0), clock: copenhagen)
        let february = copenhagen.reading(at: recurrence.occurrence(1)!)
        #expect(february == .init(year: year, month: 2, day: februaryDays, hour: 10, minute: 0))
        let march = copenhagen.reading(at: recurrence.occurrence(2)!)
        #expect(march == .init(year: year, month: 3, day: 31, hour: 10, minute: 0))
        let april = copenhagen.reading(at: recurrence.occurrence(3)!)
        #expect(april == .init(year: year, month: 4, day: 30, hour: 10, minute: 0))
    }

    @Test("monthly crosses the year end")
    func monthlyYearEnd() {
        let recurrence = Recurrence(type: .monthly, anchor: local(2026, 11, 30, 8, 0), clock: copenhagen)
        #expect(copenhagen.reading(at: recurrence.occurrence(1)!) == .init(year: 2026, month: 12, day: 30, hour: 8, minute: 0))
        #expect(copenhagen.reading(at: recurrence.occurrence(2)!) == .init(year: 2027, month: 1, day: 30, hour: 8, minute: 0))
        #expect(copenhagen.reading(at: recurrence.occurrence(3)!) == .init(year: 2027, month: 2, day: 28, hour: 8, minute: 0))
    }

    @Test("once has no occurrence after the first")
    func once() {
        let anchor = local(2026, 5, 1, 12, 0)
        let recurrence = Recurrence(type: .once, anchor: anchor, clock: copenhagen)
        #expect(recurrence.occurrence(1) == nil)
        #expect(recurrence.firstOccurrence(after: anchor.addingTimeInterval(-1)) == anchor)
        #expect(recurrence.firstOccurrence(after: anchor) == nil)
    }

    @Test("a reminder long overdue resumes its rhythm: the next occurrence is the first one after now",
          arguments: RecurrenceType.allCases.filter { $0 != .once })
    func overdue(type: RecurrenceType) throws {
        let anchor = local(2025, 1, 31, 9, 0)
        let now = local(2026, 11, 29, 12, 0)
        let recurrence = Recurrence(type: type, anchor: anchor, clock: copenhagen)
        let next = try #require(recurrence.firstOccurrence(after: now))
        #expect(next > now)
        let reading = copenhagen.reading(at: next)
        #expect(reading.hour == 9 && reading.minute == 0)
        switch type {
        case .daily: #expect(reading == .init(year: 2026, month: 11, day: 30, hour: 9, minute: 0))
        case .weekly:
            #expect(WallClock.weekday(year: reading.year, month: reading.month, day: reading.day) == 5) // Friday, as 2025-01-31
            #expect(next.timeIntervalSince(now) <= 7 * 86_400)
        case .monthly: #expect(reading == .init(year: 2026, month: 11, day: 30, hour: 9, minute: 0))
        case .once: break
        }
    }

    @Test("every occurrence of a year of daily reminders is at the same wall-clock time and strictly increasing")
    func yearOfDailies() {
        let recurrence = Recurrence(type: .daily, anchor: local(2026, 1, 1, 2, 45), clock: copenhagen)
        var previous = recurrence.occurrence(0)!
        for n in 1...364 {
            let next = recurrence.occurrence(n)!
            #expect(next > previous)
            let reading = copenhagen.reading(at: next)
            // Only the spring-forward night has no 02:45.
            if reading.month == 3 && reading.day == 29 && reading.year == 2026 {
                #expect(reading.hour == 3 && reading.minute == 45)
            } else {
                #expect(reading.hour == 2 && reading.minute == 45, "occurrence \(n): \(reading)")
            }
            previous = next
        }
    }
}
