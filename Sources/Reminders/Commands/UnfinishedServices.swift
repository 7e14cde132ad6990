import ServiceLifecycle
import Synchronization

/// Remembers which services of a group were still at work when the group
/// cancelled them, or when shutdown ended a retry they were waiting in, so the process can say what it abandoned instead of
/// exiting 0 as if everything had been committed.
final class UnfinishedServices: Sendable {
    private let names = Mutex<[String]>([])
    private let shutdownBegan = Mutex(false)

    /// A service that notes it was cancelled before it finished on its own.
    struct Tracked: Service, CustomStringConvertible {
        let base: any Service
        let unfinished: UnfinishedServices

        var description: String { String(describing: type(of: base)) }

        func run() async throws {
            do {
                try await withGracefulShutdownHandler {
                    try await base.run()
                } onGracefulShutdown: {
                    unfinished.shutdownBegan.withLock { $0 = true }
                }
            } catch is CancellationError where Task.isShuttingDownGracefully && !Task.isCancelled {
                // Shutdown ended a retry it was waiting in: its work in hand is
                // abandoned. The other services still shut down in order.
                unfinished.note(description)
                return
            } catch {
                if Task.isCancelled { unfinished.note(description) }
                throw error
            }
            if Task.isCancelled { unfinished.note(description) }
        }
    }

    private func note(_ name: String) {
        names.withLock { $0.append(name) }
    }

    /// The one-line failure when a graceful shutdown cut any service short;
    /// `nil` when every service finished its work (or the group stopped for
    /// another reason, whose error says more).
    func report(role: String, after limit: Duration) -> ShutdownAbandoned? {
        let cut = names.withLock { $0 }
        guard !cut.isEmpty, shutdownBegan.withLock({ $0 }) else { return nil }
        return ShutdownAbandoned(role: role, limit: limit, services: cut)
    }
}

/// The process stopped without finishing: its uncommitted work (offsets,
/// claims, an unpublished round) is left for the next instance.
struct ShutdownAbandoned: Error, CustomStringConvertible {
    var role: String
    var limit: Duration
    var services: [String]

    var description: String {
        "graceful shutdown of the \(role) (at most \(limit.components.seconds) s) cut short while unfinished: "
            + services.joined(separator: ", ")
            + " (their uncommitted work is left for the next instance)"
    }
}
