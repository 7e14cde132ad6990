import AsyncSupport
import Foundation
import Logging
import Postgres
import ReminderStore
import ServiceLifecycle
import Synchronization

/// One listener to inbox changes (``InboxChangeFeed``) for the whole gateway, fanned out to the
/// event streams of the users concerned. A change only says "user U has something new": each
/// stream then reads its user's entries past its cursor, so a lost or coalesced change delays an
/// event (until the next heartbeat re-check) but never drops it.
public final class InboxNotifier: Service, Sendable {
    /// A stream's registration: signalled when its user may have new entries.
    struct Subscription: Sendable {
        let id: UInt64
        let userID: Int
        let wake: WakeSignal
    }

    private struct State {
        /// By user, so a notification reaches its user's streams without a scan of everyone's.
        var subscribers: [Int: [UInt64: Subscription]] = [:]
        var count = 0
        var nextID: UInt64 = 0
        var isListening = false
        var isStopped = false
    }

    /// Why a stream could not be opened.
    enum SubscriptionRefusal: Error, Equatable {
        /// The gateway holds its most streams.
        case gatewayFull(limit: Int)
        /// The user holds their most streams.
        case userFull(limit: Int)
    }

    private let feed: any InboxChangeFeed
    private let logger: Logger
    private let state = Mutex(State())
    /// The callers' pending lists, dropped as the notifications say.
    let pendingCache = PendingCache()

    /// A notifier that listens to `feed` once ``run()`` runs.
    public init(feed: some InboxChangeFeed, logger: Logger) {
        self.feed = feed
        self.logger = logger
    }

    /// A notifier that listens through `postgres` (``PostgresInboxChangeFeed``) once ``run()`` runs.
    public convenience init(postgres: PostgresClient, logger: Logger) {
        self.init(feed: PostgresInboxChangeFeed(postgres: postgres), logger: logger)
    }

    /// Whether the listener is in place (proved by hearing a change or a probe).
    public var isListening: Bool { state.withLock { $0.isListening } }

    /// How many event streams are open.
    public var subscriberCount: Int { state.withLock { $0.count } }

    /// Whether the gateway is shutting down; open streams end.
    var isStopped: Bool { state.withLock { $0.isStopped } }

    /// Waits until listening, up to `timeout`; whether it is.
    public func waitUntilListening(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isListening, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return isListening
    }

    /// Registers a stream of `userID`, unless the gateway or the user already holds the most.
    func subscribe(userID: Int, maximum: Int = .max, maximumPerUser: Int = .max) throws(SubscriptionRefusal) -> Subscription {
        try state.withLock { state throws(SubscriptionRefusal) in
            guard state.count < maximum else { throw .gatewayFull(limit: maximum) }
            guard state.subscribers[userID, default: [:]].count < maximumPerUser else { throw .userFull(limit: maximumPerUser) }
            state.nextID += 1
            let subscription = Subscription(id: state.nextID, userID: userID, wake: WakeSignal())
            state.subscribers[userID, default: [:]][subscription.id] = subscription
            state.count += 1
            return subscription
        }
    }

    func unsubscribe(_ subscription: Subscription) {
        state.withLock { state in
            guard state.subscribers[subscription.userID]?.removeValue(forKey: subscription.id) != nil else { return }
            state.count -= 1
            if state.subscribers[subscription.userID]?.isEmpty == true { state.subscribers[subscription.userID] = nil }
        }
    }

    /// Listens until graceful shutdown, then wakes every stream so it ends.
    public func run() async throws {
        await listen(to: feed)
        let subscribers = state.withLock { state in
            state.isStopped = true
            state.isListening = false
            return state.subscribers.values.flatMap(\.values)
        }
        for subscriber in subscribers { subscriber.wake.signal() }
    }

    private func listen(to feed: some InboxChangeFeed) async {
        let changes = feed.changes()
        await withTaskGroup(of: Void.self) { group in
            // Proves the listener is in place: sends harmless probes until one comes back.
            group.addTask { [self] in
                while !isListening, !Task.isCancelled {
                    try? await feed.probe()
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            for await change in changes.cancelOnGracefulShutdown() {
                dispatch(change)
            }
            group.cancelAll()
        }
    }

    private func dispatch(_ change: InboxChange) {
        state.withLock { $0.isListening = true }
        let userID: Int?
        switch change {
        case .missed:
            // Changes were missed while reconnecting: every stream re-reads, every list reloads.
            pendingCache.invalidateAll()
            userID = nil
        case .entryAdded(let id):
            pendingCache.invalidate(id)
            userID = id
        case .entryChanged(let id):
            // A changed entry (dismissed, snoozed…) brings nothing new to push.
            pendingCache.invalidate(id)
            return
        case .reminderChanged:
            // A reminder stopped or restarted: its entries leave or rejoin lists.
            pendingCache.invalidateAll()
            return
        case .other:
            return
        }
        let targets = state.withLock { state -> [Subscription] in
            guard let userID else { return state.subscribers.values.flatMap(\.values) }
            return state.subscribers[userID].map { Array($0.values) } ?? []
        }
        for target in targets { target.wake.signal() }
    }
}
