import Foundation
import Kafka
import Logging
import Observability
import Postgres
import Prometheus
import ReminderContracts
import ReminderDomain
import ReminderStore
import ServiceLifecycle

/// What every service role does before and around its work: read the
/// settings, prove the database (and broker) can be reached, then run its
/// services in one group that shuts down on SIGTERM or SIGINT, beside the
/// health and metrics endpoints.
struct ServiceRunner {
    let role: String
    let settings: Settings
    let logger: Logger
    let postgresConfiguration: PostgresConfiguration
    let postgres: PostgresClient
    let readiness = Readiness()
    let metrics: PrometheusCollectorRegistry

    /// `statementPlanning`: what the role's repository asks for.
    init(role: String, statementPlanning: StatementPlanning = .forEachCall) async throws {
        self.role = role
        settings = try Settings()
        logger = makeLogger(label: "reminders.\(role)", settings: settings)
        metrics = MetricsBootstrap.prometheus(durationBuckets: [
            MetricName.deliveryLatency: MetricName.latencyBuckets,
            MetricName.schedulerLateness: MetricName.latencyBuckets,
        ])
        var postgresConfiguration = PostgresConfiguration(url: try settings.requireDatabaseURL())
        // pg_stat_activity (and the load runs' CPU by client) then names the role behind each connection.
        postgresConfiguration.applicationName = "reminders \(role)"
        postgresConfiguration.statementPlanning = statementPlanning
        self.postgresConfiguration = postgresConfiguration
        postgres = PostgresClient(configuration: postgresConfiguration, logger: logger)
        try await checkDatabase(postgresConfiguration, logger: logger)
    }

    var producerConfiguration: KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: settings.kafkaBootstrapServers)
    }

    func consumerConfiguration(group: String, topics: [String]) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: settings.kafkaBootstrapServers,
            groupID: settings.kafkaTopicPrefix + group,
            topics: topics.map { settings.kafkaTopicPrefix + $0 }
        )
        configuration.maximumFetchWait = .milliseconds(settings.kafkaFetchWaitMilliseconds)
        configuration.sessionTimeout = .milliseconds(settings.kafkaSessionTimeoutMilliseconds)
        if settings.kafkaPartitionAssignment == "leases" {
            // The instances share the partitions through PostgreSQL: no broker-side rebalance
            // to wait for after a restart, a kill or a broker pause.
            configuration.partitionAssignment = .leases(
                store: PostgresPartitionLeases(postgres: postgres),
                memberID: newMemberID(),
                leaseTime: .milliseconds(settings.kafkaPartitionLeaseMilliseconds)
            )
        } else if !settings.kafkaGroupInstanceID.isEmpty {
            // Static membership: a restarted instance with the same id takes its partitions back
            // without a rebalance, and a pause shorter than the session keeps them.
            configuration.properties["group.instance.id"] = settings.kafkaGroupInstanceID
        }
        return configuration
    }

    /// A consumer's name in its lease-sharing group: `KAFKA_GROUP_INSTANCE_ID` when set (a
    /// restarted pod of that name takes its leases back at once), else host, process and a
    /// random part drawn on each call, so two consumers never share one.
    func newMemberID() -> String {
        if !settings.kafkaGroupInstanceID.isEmpty { return settings.kafkaGroupInstanceID }
        let random = UInt32.random(in: 0...UInt32.max)
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(String(random, radix: 16))"
    }

    /// Fails with one line when the broker cannot be reached.
    func checkBroker() async throws {
        try await KafkaProducer.makeProducer(configuration: producerConfiguration, logger: logger.quietened)
            .checkConnection(timeout: .seconds(20))
    }

    /// Runs the pool and `services` until a shutdown signal. Unless the role
    /// serves them itself (`servesHealth`), `/healthz`, `/readyz` and
    /// `/metrics` are served on `METRICS_PORT`.
    ///
    /// Order matters: on shutdown the group tells services to stop in
    /// reverse order, so readiness turns off first, then the role's services
    /// finish what they hold, and the endpoints and the pool go last.
    func run(_ services: [any Service], servesHealth: Bool = false) async throws {
        var group: [any Service] = [postgres]
        if !servesHealth, settings.metricsPort != 0 {
            let logger = self.logger
            group.append(HealthServer(
                host: "0.0.0.0", port: settings.metricsPort, readiness: readiness, registry: metrics, logger: logger,
                onListening: { port in logger.info("health and metrics listening", metadata: ["port": "\(port)"]) }
            ))
        }
        if !servesHealth {
            // A role serving its own /readyz (the gateway) checks the database there.
            let database = PostgresHealthProbe(postgres: postgres)
            group.append(ReadinessProbe(name: "database", readiness: readiness) { try await database.checkDatabase() })
        }
        group += services
        group.append(ShutdownNotice(readiness: readiness))
        let unfinished = UnfinishedServices()
        var configuration = ServiceGroupConfiguration(
            services: group.map { .init(service: UnfinishedServices.Tracked(base: $0, unfinished: unfinished)) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A service stuck in a retry loop (database or broker away) must not
        // hold the process: after this long the group cancels what is left,
        // which drops uncommitted work for the next instance to redo.
        configuration.maximumGracefulShutdownDuration = Self.gracefulShutdownLimit
        configuration.maximumCancellationDuration = .seconds(1)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            // Errors of services cut short are consequences; say what was cut.
            throw unfinished.report(role: role, after: Self.gracefulShutdownLimit) ?? error
        }
        if let abandoned = unfinished.report(role: role, after: Self.gracefulShutdownLimit) {
            throw abandoned
        }
    }

    /// How long a graceful shutdown may take before it is cut short; with
    /// the cancellation allowance it stays under Kubernetes' and the tests'
    /// 10 s.
    static let gracefulShutdownLimit: Duration = .seconds(8)
}

/// Fails with one line when the database cannot be reached.
func checkDatabase(_ configuration: PostgresConfiguration, logger: Logger) async throws {
    try await PostgresClient(configuration: configuration, logger: logger.quietened).checkConnection()
}

extension Logger {
    /// The same logger, silent below critical: start-up checks report their
    /// failure as the one line the command prints, and the clients' own
    /// retry chatter would only repeat it.
    var quietened: Logger {
        var quiet = self
        quiet.logLevel = .critical
        return quiet
    }
}
