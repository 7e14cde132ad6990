import Foundation
import ReminderContracts
import ReminderDomain
import Testing
import Timestamps

@Suite("Calendar feed: RRULE mapping, VTIMEZONE and events")
struct CalendarFeedTests {
    let copenhagen = WallClock(identifier: "Europe/Copenhagen")!

    func utc(_ text: String) -> Date { Timestamp.parse(text)! }

    /// The lines of a feed, unfolded.
    func lines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    /// The lines of each VEVENT.
    func events(_ text: String) -> [[String]] {
        var result: [[String]] = []
        var current: [String]?
        for line in lines(text) {
            if line == "BEGIN:VEVENT" { current = [] } else if line == "END:VEVENT" { result.append(current!); current = nil } else { current?.append(line) }
        }
        return result
    }

    @Test("RRULE per recurrence type; once has none")
    func rules() {
        let reading = WallClock.Reading(year: 2026, month: 1, day: 15, hour: 9)
        #expect(ICalendarRecurrenceRule.rule(for: .once, start: reading) == nil)
        #expect(ICalendarRecurrenceRule.rule(for: .daily, start: reading) == "FREQ=DAILY")
        #expect(ICalendarRecurrenceRule.rule(for: .weekly, start: reading) == "FREQ=WEEKLY")
        #expect(ICalendarRecurrenceRule.rule(for: .monthly, start: reading) == "FREQ=MONTHLY;BYMONTHDAY=15")
        var end = reading
        end.day = 31
        #expect(ICalendarRecurrenceRule.rule(for: .monthly, start: end) == "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1")
        end.day = 29
        #expect(ICalendarRecurrenceRule.rule(for: .monthly, start: end) == "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1")
    }

    /// RFC 5545's reading of a monthly rule, for one month: the BYMONTHDAY days that exist in
    /// that month, the last of them with BYSETPOS=-1, or nothing.
    func rfcMonthDay(_ rule: String, year: Int, month: Int) -> Int? {
        var days: [Int] = []
        var lastOnly = false
        for part in rule.split(separator: ";") {
            let pair = part.split(separator: "=")
            if pair[0] == "BYMONTHDAY" { days = pair[1].split(separator: ",").map { Int($0)! } }
            if pair[0] == "BYSETPOS" { lastOnly = pair[1] == "-1" }
        }
        let valid = days.filter { $0 <= WallClock.daysInMonth(year: year, month: month) }.sorted()
        return lastOnly ? valid.last : (valid.count == 1 ? valid[0] : nil)
    }

    @Test("monthly rules clamp as Recurrence does, for every day of the month over four years (a leap year among them)")
    func monthlyClampingExhaustive() {
        for day in 1...31 {
            let rule = ICalendarRecurrenceRule.rule(for: .monthly, start: .init(year: 2027, month: 1, day: day, hour: 10))!
            let recurrence = Recurrence(type: .monthly, anchor: copenhagen.date(of: .init(year: 2027, month: 1, day: day, hour: 10)), clock: copenhagen)
            for n in 0..<48 {
                let ours = copenhagen.reading(at: recurrence.occurrence(n)!)
                #expect(rfcMonthDay(rule, year: ours.year, month: ours.month) == ours.day, "day \(day), month \(n): \(rule)")
                #expect(ours.hour == 10)
            }
        }
    }

    @Test("VTIMEZONE of Europe/Copenhagen: the offset in force, then each change, at local time in the offset before it")
    func copenhagenZone() {
        let zone = ICalendarTimeZone(zone: TimeZone(identifier: "Europe/Copenhagen")!, from: utc("2026-01-10T00:00:00Z"), to: utc("2027-12-31T00:00:00Z"))
        #expect(zone.identifier == "Europe/Copenhagen")
        // In force on 10 January 2026: the change to CET of 25 October 2025.
        #expect(zone.observances.first?.start == utc("2025-10-26T01:00:00Z"))
        #expect(zone.observances.first?.isDaylight == false)
        #expect(zone.observances.count == 5)
        let springs = zone.observances.filter(\.isDaylight)
        #expect(springs.map(\.start) == [utc("2026-03-29T01:00:00Z"), utc("2027-03-28T01:00:00Z")])
        #expect(springs.allSatisfy { $0.offsetFrom == 3600 && $0.offsetTo == 7200 })
        var document = ICalendarDocument()
        zone.write(to: &document)
        let text = lines(document.text)
        #expect(text.first == "BEGIN:VTIMEZONE")
        #expect(text.contains("TZID:Europe/Copenhagen"))
        // Spring forward: 02:00 CET; fall back: 03:00 CEST.
        #expect(text.contains("DTSTART:20260329T020000"))
        #expect(text.contains("DTSTART:20261025T030000"))
        #expect(text.contains("TZOFFSETFROM:+0100"))
        #expect(text.contains("TZOFFSETTO:+0200"))
        #expect(text.filter { $0 == "BEGIN:DAYLIGHT" }.count == 2)
        #expect(text.filter { $0 == "BEGIN:STANDARD" }.count == 3)
    }

    @Test("VTIMEZONE of a zone without changes: one STANDARD observance", arguments: ["UTC", "Asia/Tokyo"])
    func fixedZone(_ identifier: String) {
        let zone = ICalendarTimeZone(zone: TimeZone(identifier: identifier)!, from: utc("2026-01-10T00:00:00Z"), to: utc("2030-01-01T00:00:00Z"))
        #expect(zone.observances.count == 1)
        #expect(zone.observances[0].offsetFrom == zone.observances[0].offsetTo)
        #expect(zone.observances[0].isDaylight == false)
        #expect(zone.observances[0].offsetTo == TimeZone(identifier: identifier)!.secondsFromGMT())
    }

    @Test("VTIMEZONE of a southern zone (Australia/Sydney) and of New York: changes in both directions")
    func otherZones() {
        for identifier in ["Australia/Sydney", "America/New_York"] {
            let tz = TimeZone(identifier: identifier)!
            let zone = ICalendarTimeZone(zone: tz, from: utc("2026-02-01T00:00:00Z"), to: utc("2028-02-01T00:00:00Z"))
            #expect(zone.observances.count >= 5)
            for observance in zone.observances.dropFirst() {
                #expect(tz.secondsFromGMT(for: observance.start) == observance.offsetTo)
                #expect(tz.secondsFromGMT(for: observance.start.addingTimeInterval(-1)) == observance.offsetFrom)
            }
            #expect(zone.observances.first!.start <= utc("2026-02-01T00:00:00Z"))
        }
    }

    func item(_ id: Int, _ timing: CalendarFeedItem.Timing, title: String = "Call the customer", message: String? = "Ask about the invoice",
              sequence: Int = 0) -> CalendarFeedItem {
        CalendarFeedItem(
            reminderID: id, sagID: 7, title: title, message: message, caseTitle: "Server migration", priority: .high, timing: timing,
            sequence: sequence, updatedAt: utc("2026-11-30T08:00:00Z")
        )
    }

    @Test("a recurring reminder: DTSTART in its zone, RRULE, alarm at the time, stable UID, SEQUENCE")
    func recurringEvent() {
        let anchor = copenhagen.date(of: .init(year: 2026, month: 1, day: 31, hour: 9, minute: 30))
        let text = CalendarFeed(items: [item(42, .scheduled(anchor: anchor, recurrence: .monthly, timeZone: "Europe/Copenhagen"), sequence: 3)])
            .render(now: utc("2026-11-30T08:00:00Z"))
        let all = lines(text)
        #expect(all.first == "BEGIN:VCALENDAR" && all.last == "END:VCALENDAR")
        #expect(all.contains("VERSION:2.0"))
        #expect(all.contains { $0.hasPrefix("PRODID:") })
        #expect(all.filter { $0 == "BEGIN:VTIMEZONE" }.count == 1)
        let event = events(text)[0]
        #expect(event.contains("UID:reminder-42@case-reminders"))
        #expect(event.contains("SEQUENCE:3"))
        #expect(event.contains("DTSTART;TZID=Europe/Copenhagen:20260131T093000"))
        #expect(event.contains("RRULE:FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"))
        #expect(event.contains("DTSTAMP:20261130T080000Z"))
        #expect(event.contains("SUMMARY:Call the customer"))
        #expect(event.contains("DESCRIPTION:Ask about the invoice\\n\\nCase 7: Server migration"))
        #expect(event.contains("PRIORITY:3"))
        #expect(event.contains("TRIGGER:PT0S"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test("a deadline reminder: at the deadline in UTC, no RRULE, alarm hours_before it")
    func deadlineEvent() {
        let text = CalendarFeed(items: [item(5, .deadline(utc("2027-02-01T12:00:00Z"), hoursBefore: 36.5))]).render(now: utc("2026-11-30T08:00:00Z"))
        let event = events(text)[0]
        #expect(event.contains("DTSTART:20270201T120000Z"))
        #expect(!event.contains { $0.hasPrefix("RRULE") })
        #expect(event.contains("TRIGGER:-PT36H30M"))
        // No zone needed for UTC times.
        #expect(!lines(text).contains("BEGIN:VTIMEZONE"))
    }

    @Test("user text is escaped, so a title cannot add events or properties")
    func hostileText() {
        let text = CalendarFeed(items: [item(1, .deadline(utc("2027-02-01T12:00:00Z"), hoursBefore: 1),
                                             title: "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil; a, b\\", message: "line\nBEGIN:VALARM")])
            .render(now: utc("2026-11-30T08:00:00Z"))
        #expect(events(text).count == 1)
        #expect(!lines(text).contains("UID:evil; a, b\\"))
        #expect(events(text)[0].contains("SUMMARY:x\\nEND:VEVENT\\nBEGIN:VEVENT\\nUID:evil\\; a\\, b\\\\"))
        #expect(lines(text).filter { $0 == "BEGIN:VALARM" }.count == 1)
    }

    @Test("several zones each get one VTIMEZONE; an unknown zone's reminder is left out")
    func zones() {
        let anchor = utc("2026-06-01T07:00:00Z")
        let text = CalendarFeed(items: [
            item(1, .scheduled(anchor: anchor, recurrence: .daily, timeZone: "Europe/Copenhagen")),
            item(2, .scheduled(anchor: anchor, recurrence: .weekly, timeZone: "America/New_York")),
            item(3, .scheduled(anchor: anchor, recurrence: .weekly, timeZone: "Europe/Copenhagen")),
            item(4, .scheduled(anchor: anchor, recurrence: .once, timeZone: "Mars/Olympus")),
        ]).render(now: utc("2026-11-30T08:00:00Z"))
        #expect(lines(text).filter { $0 == "BEGIN:VTIMEZONE" }.count == 2)
        #expect(lines(text).contains("TZID:Europe/Copenhagen") && lines(text).contains("TZID:America/New_York"))
        #expect(events(text).count == 3)
        #expect(events(text)[1].contains("DTSTART;TZID=America/New_York:20260601T030000"))
        #expect(!text.contains("Mars"))
    }

    @Test("the VTIMEZONE carries the name the events use, also for UTC (which the system reads back as GMT)")
    func utcName() {
        let text = CalendarFeed(items: [item(1, .scheduled(anchor: utc("2027-01-15T12:00:00Z"), recurrence: .monthly, timeZone: "UTC"))])
            .render(now: utc("2026-11-30T08:00:00Z"))
        #expect(lines(text).contains("TZID:UTC"))
        #expect(events(text)[0].contains("DTSTART;TZID=UTC:20270115T120000"))
        #expect(!lines(text).contains("TZID:GMT"))
    }

    @Test("priorities map to iCalendar's 1 (highest) … 9 (lowest)")
    func priorities() {
        #expect(Priority.allCases.map(CalendarFeed.icalPriority) == [9, 5, 3, 1])
    }
}
