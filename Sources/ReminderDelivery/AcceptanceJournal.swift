import Logging
import ReminderStore
import Synchronization

/// Notes accepted sends in the database the moment the server accepts them,
/// many at once: while one note is being written, the sends accepted meanwhile
/// queue up and go in the next write (a group commit), so the cost per send
/// stays small and the time between a server's acceptance and its note stays
/// about one round trip.
final class AcceptanceJournal: Sendable {
    private typealias Waiter = CheckedContinuation<Bool, Never>

    private struct State {
        var writing = false
        var pending: [(DeliveryAcceptance, Waiter)] = []
    }

    private let repository: any DeliveryRepository
    private let logger: Logger
    private let state = Mutex(State())

    init(repository: any DeliveryRepository, logger: Logger) {
        self.repository = repository
        self.logger = logger
    }

    /// Returns once `acceptance` is written (or its write failed, which is
    /// logged: the batch's own transaction still records the send, so only the
    /// protection against a crash in between is lost).
    func note(_ acceptance: DeliveryAcceptance) async {
        // `true`: nobody was writing, so this caller writes (its own note and
        // whatever queues up meanwhile).
        let mustWrite = await withCheckedContinuation { (waiter: Waiter) in
            let becameWriter = state.withLock { state -> Bool in
                if state.writing {
                    state.pending.append((acceptance, waiter))
                    return false
                }
                state.writing = true
                return true
            }
            if becameWriter { waiter.resume(returning: true) }
        }
        guard mustWrite else { return }
        var batch: [(DeliveryAcceptance, Waiter?)] = [(acceptance, nil)]
        while !batch.isEmpty {
            do {
                try await repository.noteAccepted(batch.map(\.0))
            } catch {
                logger.warning("could not note accepted sends; their batch still records them", metadata: [
                    "count": "\(batch.count)", "error": "\(error)",
                ])
            }
            for (_, waiter) in batch { waiter?.resume(returning: false) }
            batch = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.writing = false
                    return []
                }
                defer { state.pending = [] }
                return state.pending.map { ($0.0, $0.1) }
            }
        }
    }
}
