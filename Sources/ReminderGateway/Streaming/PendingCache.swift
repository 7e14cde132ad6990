import NIOCore
import Synchronization

/// Each recent caller's `pending/me` answer, ready to send: the endpoint every
/// open tab polls then costs no database round trip until the list changes.
///
/// Dropped for a user when their inbox changes (this gateway's own writes,
/// before it answers, and every replica's through `LISTEN reminder_inbox`),
/// for everyone when a reminder is stopped or restarted or the `LISTEN`
/// connection was lost, and when a snoozed entry's time comes. A lookup and
/// its refill race with invalidations through per-user epochs: an answer read
/// before an invalidation is never stored after it.
final class PendingCache: Sendable {
    /// What a refill must present to be stored: the epochs when its read began.
    struct Ticket: Sendable {
        fileprivate let global: UInt64
        fileprivate let user: UInt64
    }

    private struct Entry {
        var body: ByteBuffer
        var validUntil: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var userEpochs: [Int: UInt64] = [:]
        var globalEpoch: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Users held at most; a full cache starts over (cheap, and rare).
    let capacity: Int
    /// The longest an answer is kept even if nothing is heard: a safety net, not the mechanism.
    let lifetime: Duration

    init(capacity: Int = 50_000, lifetime: Duration = .seconds(60)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The stored answer for `userID`, if still valid.
    func lookup(_ userID: Int, now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        state.withLock { state in
            guard let entry = state.entries[userID] else { return nil }
            guard entry.validUntil > now else {
                state.entries[userID] = nil
                return nil
            }
            return entry.body
        }
    }

    /// Taken before reading the database for `userID`.
    func ticket(for userID: Int) -> Ticket {
        state.withLock { Ticket(global: $0.globalEpoch, user: $0.userEpochs[userID, default: 0]) }
    }

    /// Stores `body` unless the user's list was invalidated since `ticket`; kept until
    /// `expiresIn` (when a snoozed entry comes back) or the cache's lifetime.
    func store(_ body: ByteBuffer, for userID: Int, ticket: Ticket, expiresIn: Duration?, now: ContinuousClock.Instant = .now) {
        let keep = min(lifetime, expiresIn ?? lifetime)
        guard keep > .zero else { return }
        state.withLock { state in
            guard state.globalEpoch == ticket.global, state.userEpochs[userID, default: 0] == ticket.user else { return }
            if state.entries.count >= capacity, state.entries[userID] == nil {
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[userID] = Entry(body: body, validUntil: now + keep)
        }
    }

    /// `userID`'s list may have changed.
    func invalidate(_ userID: Int) {
        state.withLock { state in
            if state.userEpochs.count >= 2 * capacity {
                // Starting over keeps the epochs bounded; every ticket out is void by the global move.
                state.globalEpoch &+= 1
                state.userEpochs.removeAll(keepingCapacity: true)
                state.entries.removeAll(keepingCapacity: true)
                return
            }
            state.userEpochs[userID, default: 0] &+= 1
            state.entries[userID] = nil
        }
    }

    /// Any list may have changed.
    func invalidateAll() {
        state.withLock { state in
            state.globalEpoch &+= 1
            state.entries.removeAll(keepingCapacity: true)
            // Per-user epochs only need to differ from tickets already issued; the global
            // epoch moved, so they can start over and the map cannot grow without bound.
            state.userEpochs.removeAll(keepingCapacity: true)
        }
    }

    /// Users held now.
    var count: Int { state.withLock { $0.entries.count } }
}
