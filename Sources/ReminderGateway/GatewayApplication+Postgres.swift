import Hummingbird
import Logging
import Observability
import Postgres
import Prometheus
import ReminderStore

/// The gateway on PostgreSQL: its store is a ``PostgresGatewayStore`` and its notifier listens
/// through `postgres` unless one is given; the pool is one of its services when `runsPostgres`
/// (leave it out when the caller runs the pool). Refuses to build without a JWT secret.
public func buildApplication(
    postgres: PostgresClient,
    configuration: GatewayConfiguration,
    logger: Logger,
    notifier: InboxNotifier? = nil,
    runsPostgres: Bool = true,
    recorder: RouteRecorder? = nil,
    readiness: Readiness? = nil,
    metrics: PrometheusCollectorRegistry? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    try buildApplication(
        store: PostgresGatewayStore(postgres: postgres),
        notifier: notifier ?? InboxNotifier(postgres: postgres, logger: logger),
        configuration: configuration,
        logger: logger,
        services: runsPostgres ? [postgres] : [],
        recorder: recorder,
        readiness: readiness,
        metrics: metrics,
        onServerRunning: onServerRunning
    )
}
