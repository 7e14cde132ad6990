import ServiceLifecycle
import Synchronization

/// The loop shape of a service that sleeps until something happens: its work
/// runs until graceful shutdown, a sequence of wake-ups (e.g. database
/// notifications) interrupts its sleeps, and shutdown both flags it and wakes
/// it, so work in hand is finished rather than cut off.
public final class WakeableWork: Sendable {
    /// What the work sleeps on; signalled by each wake-up and by shutdown.
    public let wake = WakeSignal()
    private let stopping = Atomic<Bool>(false)

    /// A loop not yet running.
    public init() {}

    /// True once shutdown began (or the task was cancelled).
    public var isStopping: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    /// Runs `work` until it returns; every element of `wakeUps` wakes it.
    /// The wake-ups stop when the work ends.
    public func run<WakeUps: AsyncSequence & Sendable>(
        wakingOn wakeUps: WakeUps,
        _ work: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in wakeUps { self.wake.signal() }
                }
                group.addTask { try await work() }
                // The work ends only at shutdown; then stop listening.
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wake.signal()
        }
    }
}
