import Foundation
import Synchronization

/// User ids known to be active, each for `lifetime` seconds.
final class ActiveUserCache: Sendable {
    private let lifetime: TimeInterval
    private let entries = Mutex<[Int: Date]>([:])

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    func contains(_ userID: Int) -> Bool {
        entries.withLock { entries in
            guard let expiry = entries[userID] else { return false }
            if expiry > Date() { return true }
            entries[userID] = nil
            return false
        }
    }

    func insert(_ userID: Int) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[userID] = Date().addingTimeInterval(lifetime)
        }
    }
}
