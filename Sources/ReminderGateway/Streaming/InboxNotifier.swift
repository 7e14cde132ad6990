import AsyncSupport
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// One `LISTEN reminder_inbox` for the whole gateway, fanned out to the event streams of the
/// users concerned. The notification only says "user U has something new": each stream then
/// reads its user's entries past its cursor, so a lost or coalesced notification delays an
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

    /// The channel the inbox trigger (migration 098) notifies on.
    static let channel = "reminder_inbox"

    private let postgres: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())
    /// The callers' pending lists, dropped as the notifications say.
    let pendingCache = PendingCache()

    /// A notifier that listens through `postgres` once ``run()`` runs.
    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Whether `LISTEN` is in place (proved by receiving a notification on the channel).
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
        let notifications = postgres.listen(on: Self.channel)
        await withTaskGroup(of: Void.self) { group in
            // Proves the LISTEN is in place: sends harmless probes until one comes back.
            group.addTask { [self] in
                while !isListening, !Task.isCancelled {
                    _ = try? await postgres.query("SELECT pg_notify($1, 'probe')", [Self.channel])
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            for await notification in notifications.cancelOnGracefulShutdown() {
                dispatch(notification)
            }
            group.cancelAll()
        }
        let subscribers = state.withLock { state in
            state.isStopped = true
            state.isListening = false
            return state.subscribers.values.flatMap(\.values)
        }
        for subscriber in subscribers { subscriber.wake.signal() }
    }

    private func dispatch(_ notification: PostgresNotification) {
        state.withLock { $0.isListening = true }
        let userID: Int?
        if notification.isReconnect {
            // Notifications were missed while reconnecting: every stream re-reads, every list reloads.
            pendingCache.invalidateAll()
            userID = nil
        } else if let object = try? JSONSerialization.jsonObject(with: Data(notification.payload.utf8)) as? [String: Any] {
            if let id = object["user_id"] as? Int {
                pendingCache.invalidate(id)
                // A changed entry (dismissed, snoozed…) brings nothing new to push.
                if object["changed"] as? Bool == true { return }
                userID = id
            } else {
                // A reminder stopped or restarted: its entries leave or rejoin lists.
                if object["reminder_id"] != nil { pendingCache.invalidateAll() }
                return
            }
        } else {
            return
        }
        let targets = state.withLock { state -> [Subscription] in
            guard let userID else { return state.subscribers.values.flatMap(\.values) }
            return state.subscribers[userID].map { Array($0.values) } ?? []
        }
        for target in targets { target.wake.signal() }
    }
}
