import Foundation
import TestRandom
import Testing
import Timestamps

@Suite("Civil calendar arithmetic")
struct CivilCalendarTests {
    @Test("days and dates convert both ways for every day from year -400 to 10,400")
    func everyDay() {
        var failures: [Int] = []
        var expected = (year: -400, month: 1, day: 1)
        let first = CivilCalendar.daysSince1970(year: -400, month: 1, day: 1)
        for days in first...CivilCalendar.daysSince1970(year: 10_400, month: 12, day: 31) {
            let date = CivilCalendar.date(daysSince1970: days)
            if date != expected || CivilCalendar.daysSince1970(year: date.year, month: date.month, day: date.day) != days {
                failures.append(days)
            }
            // The next day, counted by hand.
            expected.day += 1
            if expected.day > CivilCalendar.daysInMonth(year: expected.year, month: expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 {
                    expected.month = 1
                    expected.year += 1
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("fixed points: 1970, leap days, centuries")
    func fixedPoints() {
        #expect(CivilCalendar.daysSince1970(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.daysSince1970(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.daysSince1970(year: 2000, month: 3, day: 1) - CivilCalendar.daysSince1970(year: 2000, month: 2, day: 28) == 2)
        #expect(CivilCalendar.daysSince1970(year: 1900, month: 3, day: 1) - CivilCalendar.daysSince1970(year: 1900, month: 2, day: 28) == 1)
        #expect(CivilCalendar.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilCalendar.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilCalendar.daysInMonth(year: 2000, month: 2) == 29)
        #expect(CivilCalendar.weekday(daysSince1970: 0) == 4) // a Thursday
        #expect(CivilCalendar.weekday(daysSince1970: -1) == 3)
        #expect(CivilCalendar.weekday(daysSince1970: CivilCalendar.daysSince1970(year: 2026, month: 11, day: 29)) == 7)
    }

    @Test("the same dates and weekdays as Foundation's Gregorian calendar")
    func matchesFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SplitMix(seed: 1)
        var mismatches: [Int] = []
        for _ in 0..<5000 {
            // Years 1601 to 9999.
            let days = Int.random(in: -134_774...2_932_896, using: &random)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let date = CivilCalendar.date(daysSince1970: days)
            // Foundation counts 1 = Sunday.
            let weekday = (parts.weekday! + 5) % 7 + 1
            if date != (parts.year!, parts.month!, parts.day!) || CivilCalendar.weekday(daysSince1970: days) != weekday {
                mismatches.append(days)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
