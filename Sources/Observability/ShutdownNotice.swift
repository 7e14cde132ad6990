import ServiceLifecycle

/// Turns readiness off as soon as graceful shutdown begins. Place it last in
/// a `ServiceGroup`: services are told to stop in reverse order, so this one
/// hears first, while the others finish what they hold.
public struct ShutdownNotice: Service {
    private let readiness: Readiness

    /// Creates the notice for `readiness`.
    public init(readiness: Readiness) {
        self.readiness = readiness
    }

    /// Waits for graceful shutdown, then marks the service not ready.
    public func run() async throws {
        try? await gracefulShutdown()
        readiness.beginShutdown()
    }
}
