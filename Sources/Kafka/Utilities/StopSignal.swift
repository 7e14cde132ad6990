/// A one-way flag a poll thread checks between polls to learn it should stop.
final class StopSignal: Sendable {
    private let requested = LockedValue(false)

    var isRequested: Bool { requested.withLock { $0 } }

    func request() {
        requested.withLock { $0 = true }
    }
}
