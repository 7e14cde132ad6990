import Synchronization

/// Whether a service should receive work: every registered condition holds
/// and shutdown has not begun. Conditions are named so `/readyz` can say
/// which one is missing.
public final class Readiness: Sendable {
    /// A check run on every readiness probe; returns why the service is not
    /// ready, or `nil` when it is.
    public typealias Check = @Sendable () async -> String?

    private struct State {
        var pending: [String: String] = [:]
        var checks: [(name: String, check: Check)] = []
        var shuttingDown = false
    }

    private let state = Mutex(State())

    /// Creates a readiness that holds until a condition is registered.
    public init() {}

    /// Registers `condition` as not yet met, with `reason` until it is.
    public func require(_ condition: String, reason: String) {
        state.withLock { $0.pending[condition] = reason }
    }

    /// Marks `condition` as met.
    public func satisfy(_ condition: String) {
        _ = state.withLock { $0.pending.removeValue(forKey: condition) }
    }

    /// Adds a check run on every probe, e.g. that the database answers.
    public func addCheck(_ name: String, _ check: @escaping Check) {
        state.withLock { $0.checks.append((name, check)) }
    }

    /// From now on the service reports not ready, so no new work is routed to it.
    public func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
    }

    /// Whether shutdown has begun.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Why the service is not ready; empty when it is.
    public func unmetConditions() async -> [String] {
        let (shuttingDown, pending, checks) = state.withLock { ($0.shuttingDown, $0.pending, $0.checks) }
        if shuttingDown { return ["shutting down"] }
        var reasons = pending.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        for (name, check) in checks {
            if let reason = await check() { reasons.append("\(name): \(reason)") }
        }
        return reasons
    }
}
