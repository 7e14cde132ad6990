import Foundation
import ReminderDomain
import Testing

@Suite("Rate-limit window")
struct RateLimitWindowTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let limit = RateLimitWindow(limit: 5)

    func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }

    @Test("admits while fewer than five fall in the last hour")
    func belowLimit() {
        for count in 0..<5 {
            let previous = (0..<count).map { ago(Double($0) * 60) }
            #expect(limit.admits(previous: previous, at: now))
        }
    }

    @Test("refuses the sixth within the hour")
    func atLimit() {
        let previous = (0..<5).map { ago(Double($0) * 600) }
        #expect(!limit.admits(previous: previous, at: now))
    }

    @Test("one sent exactly an hour ago no longer counts; one a millisecond later does")
    func edges() {
        let four = (0..<4).map { ago(Double($0) * 60) }
        #expect(limit.admits(previous: four + [ago(3600)], at: now))
        #expect(!limit.admits(previous: four + [ago(3599.999)], at: now))
        #expect(limit.count(of: [ago(3600), ago(3600.001), ago(7200)], at: now) == 0)
    }

    @Test("notifications after the moment asked about do not count")
    func future() {
        let later = (1...10).map { now.addingTimeInterval(Double($0)) }
        #expect(limit.count(of: later, at: now) == 0)
        #expect(limit.count(of: [now], at: now) == 1)
    }

    @Test("the window rolls: a burst of five frees one slot as each ages out")
    func rolling() {
        let burst = (0..<5).map { ago(3000 - Double($0)) }   // 50 minutes ago, a second apart
        #expect(!limit.admits(previous: burst, at: now))
        #expect(limit.admits(previous: burst, at: now.addingTimeInterval(600)))   // the first aged out
        #expect(limit.count(of: burst, at: now.addingTimeInterval(602)) == 2)
    }

    @Test("other limits and windows", arguments: [1, 2, 10])
    func otherLimits(limitValue: Int) {
        let window = RateLimitWindow(limit: limitValue, window: 60)
        let previous = (0..<limitValue).map { ago(Double($0)) }
        #expect(!window.admits(previous: previous, at: now))
        #expect(window.admits(previous: previous, at: now.addingTimeInterval(60)))
    }
}
