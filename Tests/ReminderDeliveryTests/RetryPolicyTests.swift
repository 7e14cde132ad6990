import Foundation
@testable import ReminderDelivery
import ReminderDomain
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: 2, maxDelay: 60, maxRetryAfter: 300)

    @Test("the nominal delay doubles per attempt and is capped")
    func nominal() {
        #expect((0..<7).map { policy.nominalDelay(afterAttempt: $0) } == [2, 4, 8, 16, 32, 60, 60])
        #expect(policy.nominalDelay(afterAttempt: 10_000) == 60)
    }

    @Test("jitter keeps each delay between half the nominal delay and the nominal delay")
    func jitterBounds() {
        for attempt in 0..<8 {
            let nominal = policy.nominalDelay(afterAttempt: attempt)
            #expect(policy.delay(afterAttempt: attempt, random: 0) == nominal / 2)
            #expect(policy.delay(afterAttempt: attempt, random: 0.999_999) <= nominal)
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt)
                #expect(delay >= nominal / 2 && delay <= nominal)
            }
        }
        // Jitter spreads: 200 draws are not all the same.
        #expect(Set((0..<200).map { _ in policy.delay(afterAttempt: 3) }).count > 1)
    }

    @Test("a server's Retry-After wins, capped")
    func retryAfterWins() {
        #expect(policy.delay(afterAttempt: 0, retryAfter: 7, random: 0) == 7)
        #expect(policy.delay(afterAttempt: 0, retryAfter: 10_000) == 300)
        #expect(policy.delay(afterAttempt: 0, retryAfter: -3) == 0)
    }

    @Test("attempts are counted from 0 and stop at maxAttempts")
    func attempts() {
        #expect(policy.allowsRetry(afterAttempt: 0))
        #expect(policy.allowsRetry(afterAttempt: 3))
        #expect(!policy.allowsRetry(afterAttempt: 4))
        #expect(!RetryPolicy(maxAttempts: 1).allowsRetry(afterAttempt: 0))
    }

    @Test("Retry-After: delay-seconds and HTTP-dates; anything else is nil")
    func parseRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_445_412_480) // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfterHeader.seconds(in: "120", now: now) == 120)
        #expect(RetryAfterHeader.seconds(in: " 0 ", now: now) == 0)
        #expect(RetryAfterHeader.seconds(in: "Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
        #expect(RetryAfterHeader.seconds(in: "Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
        #expect(RetryAfterHeader.seconds(in: "soon", now: now) == nil)
        #expect(RetryAfterHeader.seconds(in: "-5", now: now) == nil)
        #expect(RetryAfterHeader.seconds(in: "", now: now) == nil)
    }
}
