import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// A small HTTP server for services that have no API of their own: it
/// answers ``HealthPaths`` so orchestrators can probe and scrape them.
public struct HealthServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// Creates the server on `host`:`port` (0 picks a free port; `onListening`
    /// learns which).
    public init(
        host: String, port: Int, readiness: Readiness, registry: PrometheusCollectorRegistry, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let router = Router()
        router.addHealthRoutes(readiness: readiness, registry: registry)
        var serverLogger = logger
        // Hummingbird logs each request at debug and its start at info; probes
        // every few seconds would drown the service's own lines.
        serverLogger.logLevel = max(logger.logLevel, .notice)
        application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: serverLogger
        )
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        try await application.run()
    }
}
