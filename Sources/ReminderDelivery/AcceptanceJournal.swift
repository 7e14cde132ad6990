import Logging
import ReminderContracts
import ReminderStore
import Synchronization

/// Notes accepted sends in the database the moment the server accepts them,
/// many at once: while one note is being written, the sends accepted meanwhile
/// queue up, and the first of them writes them all next (a group commit that
/// passes from caller to caller). The cost per send stays small, the time from
/// a server's acceptance to its note is about one round trip, and no caller
/// writes more than one round.
final class AcceptanceJournal: Sendable {
    /// What a queued caller is woken for.
    private enum Turn {
        /// Its note was written (or its write failed and was logged).
        case written
        /// It writes next: its own note and these queued ones.
        case write([(DeliveryAcceptance, Waiter)])
    }

    private typealias Waiter = CheckedContinuation<Turn, Never>

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
        let turn = await withCheckedContinuation { (waiter: Waiter) in
            let writesNow = state.withLock { state -> Bool in
                if state.writing {
                    state.pending.append((acceptance, waiter))
                    return false
                }
                state.writing = true
                return true
            }
            if writesNow { waiter.resume(returning: .write([])) }
        }
        guard case .write(let queued) = turn else { return }
        do {
            try await repository.noteAccepted([acceptance] + queued.map(\.0))
        } catch {
            logger.warning("could not note accepted sends; their batch still records them", metadata: [
                "count": "\(queued.count + 1)", LogKey.error: "\(error)",
            ])
        }
        for (_, waiter) in queued { waiter.resume(returning: .written) }
        // Hand the writing over to the first caller that queued meanwhile.
        let next = state.withLock { state -> (Waiter, [(DeliveryAcceptance, Waiter)])? in
            guard !state.pending.isEmpty else {
                state.writing = false
                return nil
            }
            let first = state.pending.removeFirst()
            defer { state.pending = [] }
            return (first.1, state.pending)
        }
        if let (waiter, rest) = next { waiter.resume(returning: .write(rest)) }
    }
}
