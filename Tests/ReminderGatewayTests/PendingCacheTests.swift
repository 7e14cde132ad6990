import NIOCore
import Testing
@testable import ReminderGateway

@Suite("Pending list cache")
struct PendingCacheTests {
    let body = ByteBuffer(string: "[]")

    @Test("a stored answer is served until invalidated, for that user only")
    func invalidation() {
        let cache = PendingCache()
        cache.store(body, for: 1, ticket: cache.ticket(for: 1), expiresIn: nil)
        cache.store(body, for: 2, ticket: cache.ticket(for: 2), expiresIn: nil)
        #expect(cache.lookup(1) == body)
        cache.invalidate(1)
        #expect(cache.lookup(1) == nil)
        #expect(cache.lookup(2) == body)
        cache.invalidateAll()
        #expect(cache.lookup(2) == nil)
    }

    @Test("a refill whose read began before an invalidation is not stored")
    func staleRefill() {
        let cache = PendingCache()
        let before = cache.ticket(for: 1)
        cache.invalidate(1)
        cache.store(body, for: 1, ticket: before, expiresIn: nil)
        #expect(cache.lookup(1) == nil)
        let beforeAll = cache.ticket(for: 1)
        cache.invalidateAll()
        cache.store(body, for: 1, ticket: beforeAll, expiresIn: nil)
        #expect(cache.lookup(1) == nil)
        // Another user's invalidation does not void this user's refill.
        let mine = cache.ticket(for: 1)
        cache.invalidate(2)
        cache.store(body, for: 1, ticket: mine, expiresIn: nil)
        #expect(cache.lookup(1) == body)
    }

    @Test("an answer expires when a snoozed entry comes back, and at the latest after the lifetime")
    func expiry() {
        let cache = PendingCache(lifetime: .seconds(60))
        let now = ContinuousClock.now
        cache.store(body, for: 1, ticket: cache.ticket(for: 1), expiresIn: .seconds(5), now: now)
        #expect(cache.lookup(1, now: now + .seconds(4)) == body)
        #expect(cache.lookup(1, now: now + .seconds(5)) == nil)
        cache.store(body, for: 2, ticket: cache.ticket(for: 2), expiresIn: .seconds(600), now: now)
        #expect(cache.lookup(2, now: now + .seconds(59)) == body)
        #expect(cache.lookup(2, now: now + .seconds(60)) == nil)
        // A release already past: nothing is stored.
        cache.store(body, for: 3, ticket: cache.ticket(for: 3), expiresIn: .seconds(-1), now: now)
        #expect(cache.lookup(3, now: now) == nil)
    }

    @Test("a full cache starts over instead of growing")
    func capacity() {
        let cache = PendingCache(capacity: 3)
        for user in 1...3 { cache.store(body, for: user, ticket: cache.ticket(for: user), expiresIn: nil) }
        #expect(cache.count == 3)
        cache.store(body, for: 4, ticket: cache.ticket(for: 4), expiresIn: nil)
        #expect(cache.count == 1)
        #expect(cache.lookup(4) == body)
        // Many invalidations keep the epochs bounded too, and void tickets out.
        let old = cache.ticket(for: 4)
        for user in 10..<20 { cache.invalidate(user) }
        cache.store(body, for: 4, ticket: old, expiresIn: nil)
        #expect(cache.lookup(4) == nil)
    }
}
