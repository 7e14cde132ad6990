import Foundation
import ReminderDomain
import Testing
import Timestamps

@Suite("Case closing statuses")
struct CaseClosingStatusesTests {
    let copenhagen = WallClock(identifier: "Europe/Copenhagen")!
    let rule = CaseClosingStatuses(parsing: CaseClosingStatuses.defaultText)!

    @Test("the default closes afsluttet and lukket, nothing else")
    func defaults() {
        #expect(rule.statuses == ["afsluttet", "lukket"])
        #expect(rule.isClosed(status: "afsluttet", deleted: false))
        #expect(rule.isClosed(status: "lukket", deleted: false))
        #expect(!rule.isClosed(status: "i_gang", deleted: false))
        #expect(!rule.isClosed(status: "Lukket", deleted: false))
    }

    @Test("a soft-deleted case is closed whatever its status")
    func deletedIsClosed() {
        #expect(rule.isClosed(status: "i_gang", deleted: true))
        #expect(CaseClosingStatuses(parsing: "")!.isClosed(status: "x", deleted: true))
    }

    @Test("parsing trims, drops empty items and refuses quotes and control characters")
    func parsing() {
        #expect(CaseClosingStatuses(parsing: " done , ,closed,")?.statuses == ["done", "closed"])
        #expect(CaseClosingStatuses(parsing: "")?.statuses == [])
        #expect(CaseClosingStatuses(parsing: "a'b") == nil)
        #expect(CaseClosingStatuses(parsing: "a\"b") == nil)
        #expect(CaseClosingStatuses(parsing: "a\u{7}b") == nil)
    }

    @Test("transitions: closing, reopening, moving between closing statuses, deleting and restoring", arguments: [
        ("ny", false, "afsluttet", false, CaseTransition.closed),
        ("afsluttet", false, "i_gang", false, .reopened),
        ("afsluttet", false, "lukket", false, .unchanged),
        ("ny", false, "i_gang", false, .unchanged),
        ("i_gang", false, "i_gang", true, .closed),
        ("i_gang", true, "i_gang", false, .reopened),
        ("lukket", false, "lukket", true, .unchanged),
        ("lukket", true, "lukket", false, .unchanged),
    ])
    func transitions(oldStatus: String, oldDeleted: Bool, newStatus: String, newDeleted: Bool, expected: CaseTransition) {
        #expect(rule.transition(from: (oldStatus, oldDeleted), to: (newStatus, newDeleted)) == expected)
    }

    @Test("re-arming a daily reminder after ten closed days fires once, at the next 09:00, not ten times")
    func rearmSkipsMissedPeriods() {
        let anchor = copenhagen.date(of: .init(year: 2026, month: 3, day: 1, hour: 9, minute: 0))
        let reopened = copenhagen.date(of: .init(year: 2026, month: 3, day: 12, hour: 10, minute: 30))
        let next = CaseClosingStatuses.rearmTime(of: Recurrence(type: .daily, anchor: anchor, clock: copenhagen), reopenedAt: reopened)
        #expect(next == copenhagen.date(of: .init(year: 2026, month: 3, day: 13, hour: 9, minute: 0)))
    }

    @Test("re-arming keeps the wall clock across DST and the monthly day; a one-off never re-arms")
    func rearmCalendar() {
        let anchor = copenhagen.date(of: .init(year: 2026, month: 1, day: 31, hour: 8, minute: 0))
        let reopened = copenhagen.date(of: .init(year: 2026, month: 4, day: 2, hour: 12, minute: 0))
        #expect(CaseClosingStatuses.rearmTime(of: Recurrence(type: .monthly, anchor: anchor, clock: copenhagen), reopenedAt: reopened)
            == copenhagen.date(of: .init(year: 2026, month: 4, day: 30, hour: 8, minute: 0)))
        #expect(CaseClosingStatuses.rearmTime(of: Recurrence(type: .weekly, anchor: anchor, clock: copenhagen), reopenedAt: reopened)
            == copenhagen.date(of: .init(year: 2026, month: 4, day: 4, hour: 8, minute: 0)))
        let future = copenhagen.date(of: .init(year: 2026, month: 5, day: 1, hour: 8, minute: 0))
        #expect(CaseClosingStatuses.rearmTime(of: Recurrence(type: .once, anchor: future, clock: copenhagen), reopenedAt: reopened) == nil)
    }
}
