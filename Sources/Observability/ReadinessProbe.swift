import ServiceLifecycle

/// Re-checks one dependency (e.g. the database) every `interval` and keeps
/// the named readiness condition in step with the answer, so `/readyz`
/// answers at once instead of waiting on the dependency itself.
public struct ReadinessProbe: Service {
    private let name: String
    private let interval: Duration
    private let readiness: Readiness
    private let check: @Sendable () async throws -> Void

    /// Creates a probe; the condition is unmet until the first check passes.
    public init(
        name: String, interval: Duration = .seconds(5), readiness: Readiness,
        check: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.readiness = readiness
        self.check = check
        readiness.require(name, reason: "not checked yet")
    }

    /// Checks until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await check()
                    readiness.satisfy(name)
                } catch is CancellationError {
                    return
                } catch {
                    readiness.require(name, reason: "\(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
