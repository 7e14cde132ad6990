import Foundation
import ReminderDomain
import Testing
import Timestamps

@Suite("Quiet hours")
struct QuietHoursTests {
    struct Zone: Sendable, CustomStringConvertible {
        var identifier: String
        var description: String { identifier }
    }

    static let zones = ["Europe/Copenhagen", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC"].map(Zone.init)

    @Test("a window that wraps midnight (18:00–08:00)", arguments: zones)
    func wrapping(zone: Zone) {
        let clock = WallClock(identifier: zone.identifier)!
        let window = QuietHours(startMinute: 18 * 60, endMinute: 8 * 60, clock: clock)
        func at(_ h: Int, _ m: Int, day: Int = 10) -> Date { clock.date(of: .init(year: 2026, month: 6, day: day, hour: h, minute: m)) }

        #expect(!window.contains(at(17, 59)))
        #expect(window.contains(at(18, 0)))
        #expect(window.contains(at(23, 59)))
        #expect(window.contains(at(0, 0)))
        #expect(window.contains(at(7, 59)))
        #expect(!window.contains(at(8, 0)))
        #expect(!window.contains(at(12, 0)))

        // Before midnight the window ends tomorrow morning; after, this morning.
        #expect(window.releaseTime(for: at(22, 15)) == at(8, 0, day: 11))
        #expect(window.releaseTime(for: at(3, 0)) == at(8, 0))
        #expect(window.releaseTime(for: at(18, 0)) == at(8, 0, day: 11))
        #expect(window.releaseTime(for: at(12, 0)) == at(12, 0))
    }

    @Test("a window inside one day (12:00–13:30)", arguments: zones)
    func sameDay(zone: Zone) {
        let clock = WallClock(identifier: zone.identifier)!
        let window = QuietHours(startMinute: 12 * 60, endMinute: 13 * 60 + 30, clock: clock)
        func at(_ h: Int, _ m: Int) -> Date { clock.date(of: .init(year: 2026, month: 1, day: 15, hour: h, minute: m)) }
        #expect(!window.contains(at(11, 59)))
        #expect(window.contains(at(12, 0)))
        #expect(window.contains(at(13, 29)))
        #expect(!window.contains(at(13, 30)))
        #expect(window.releaseTime(for: at(12, 45)) == at(13, 30))
        #expect(window.releaseTime(for: at(14, 0)) == at(14, 0))
    }

    @Test("the same instant is quiet in one zone and not in another")
    func zoneMatters() {
        let instant = Timestamp.parse("2026-06-10T20:00:00Z")!
        let copenhagen = QuietHours(startMinute: 18 * 60, endMinute: 8 * 60, clock: WallClock(identifier: "Europe/Copenhagen")!)
        let newYork = QuietHours(startMinute: 18 * 60, endMinute: 8 * 60, clock: WallClock(identifier: "America/New_York")!)
        #expect(copenhagen.contains(instant)) // 22:00 there
        #expect(!newYork.contains(instant)) // 16:00 there
    }

    @Test("start equal to end is an empty window")
    func empty() {
        let clock = WallClock(identifier: "Europe/Copenhagen")!
        let window = QuietHours(startMinute: 9 * 60, endMinute: 9 * 60, clock: clock)
        for hour in 0..<24 {
            let date = clock.date(of: .init(year: 2026, month: 2, day: 2, hour: hour, minute: 0))
            #expect(!window.contains(date))
        }
    }

    @Test("the release time falls on the spring-forward night's real clock")
    func releaseAcrossDST() {
        let clock = WallClock(identifier: "Europe/Copenhagen")!
        let window = QuietHours(startMinute: 22 * 60, endMinute: 2 * 60 + 30, clock: clock)
        let lateEvening = clock.date(of: .init(year: 2026, month: 3, day: 28, hour: 23, minute: 0))
        // 02:30 does not exist that night; the window ends at 03:30 CEST.
        #expect(window.releaseTime(for: lateEvening) == Timestamp.parse("2026-03-29T01:30:00Z"))
    }

    @Test("HH:MM parsing", arguments: [
        ("18:00", 1080), ("08:00", 480), ("00:00", 0), ("23:59", 1439), ("07:30:00", 450),
    ])
    func parse(text: String, minutes: Int) {
        #expect(QuietHours.minutes(from: text) == minutes)
    }

    @Test("HH:MM refusals", arguments: ["24:00", "7:30", "12:60", "", "noon", "12:00:61", "12-00"])
    func refuse(text: String) {
        #expect(QuietHours.minutes(from: text) == nil)
    }
}
