import Hummingbird
import HummingbirdCore
import Logging
import Observability
import Prometheus
import ReminderStore
import ServiceLifecycle

/// The gateway's routes on a router, reading and writing through `store`: the API under
/// `/api/v1` behind bearer authentication (the event stream also takes `?token=`, the calendar
/// feed `?feed_token=`), the public system routes, and problem+json errors for all.
public func buildRouter(
    store: some GatewayStore,
    notifier: InboxNotifier,
    configuration: GatewayConfiguration,
    recorder: RouteRecorder? = nil,
    readiness: Readiness? = nil,
    metrics: PrometheusCollectorRegistry? = nil
) throws -> Router<GatewayRequestContext> {
    let tokens = JSONWebToken(secret: configuration.jwtSecret, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience)
    let verified = VerifiedTokens()
    let router = Router(context: GatewayRequestContext.self)
    if metrics != nil {
        router.add(middleware: MetricsMiddleware())
    }
    // Outside the problem middleware, so error documents carry the header too.
    router.add(middleware: NoSniffMiddleware())
    router.add(middleware: ProblemMiddleware())

    let system = RouteTable(methods: router, prefix: "", recorder: recorder)
    SystemController(health: store, notifier: notifier, resources: try GatewayResources.load(), demoEnabled: configuration.demoEnabled,
                     readiness: readiness, metrics: metrics)
        .register(on: system)

    let api = RouteTable(
        methods: router.group("api/v1").add(middleware: AuthenticationMiddleware(tokens: tokens, users: store, acceptsQueryToken: false, verified: verified)),
        prefix: "/api/v1",
        recorder: recorder
    )
    PreferencesController(preferences: store, emailDomains: configuration.allowedEmailDomains).register(on: api)
    ReminderController(
        reminders: store, emailDomains: configuration.allowedEmailDomains, createdPerHour: configuration.maximumRemindersCreatedPerHour,
        pendingCache: notifier.pendingCache
    ).register(on: api)
    InteractionController(inbox: store, pendingCache: notifier.pendingCache).register(on: api)
    StatisticsController(store: store).register(on: api)
    WebhookController(
        webhooks: store, cases: store, secrets: configuration.webhookSecrets, allowLoopback: configuration.webhookAllowLoopback,
        resolve: configuration.webhookResolver
    ).register(on: api)
    let inbox = InboxController(inbox: store, notifier: notifier, configuration: configuration)
    inbox.registerPending(on: api)
    inbox.registerHeld(on: api)
    if configuration.demoEnabled {
        CaseController(cases: store).register(on: api)
    }

    let stream = RouteTable(
        methods: router.group("api/v1").add(middleware: AuthenticationMiddleware(tokens: tokens, users: store, acceptsQueryToken: true, verified: verified)),
        prefix: "/api/v1",
        recorder: recorder
    )
    inbox.registerStream(on: stream)

    let calendar = CalendarController(calendars: store)
    calendar.registerToken(on: api)
    let feed = RouteTable(
        methods: router.group("api/v1").add(middleware: CalendarFeedAuthentication(
            store: store,
            bearer: AuthenticationMiddleware(tokens: tokens, users: store, acceptsQueryToken: false, verified: verified)
        )),
        prefix: "/api/v1",
        recorder: recorder
    )
    calendar.registerFeed(on: feed)
    return router
}

/// The gateway as a Hummingbird application on `store`; its services are `services` (run
/// first, stopped last: a database pool the store uses, say) and the inbox notifier. Refuses
/// to build without a JWT secret.
public func buildApplication(
    store: some GatewayStore,
    notifier: InboxNotifier,
    configuration: GatewayConfiguration,
    logger: Logger,
    services: [any Service] = [],
    recorder: RouteRecorder? = nil,
    readiness: Readiness? = nil,
    metrics: PrometheusCollectorRegistry? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    guard !configuration.jwtSecret.isEmpty else {
        throw GatewayError(status: .internalServerError, code: "configuration", message: "JWT_SECRET is not set; the gateway cannot check tokens")
    }
    let router = try buildRouter(
        store: store, notifier: notifier, configuration: configuration, recorder: recorder, readiness: readiness, metrics: metrics
    )
    let idleSeconds = Int64(configuration.idleTimeout.components.seconds)
    return Application(
        router: router,
        server: .http1(configuration: .init(
            additionalChannelHandlers: [RequestBodyLimitHandler(limit: GatewayRequestContext.maximumBodyBytes)],
            idleTimeout: .seconds(max(1, idleSeconds))
        )),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "case-reminders-gateway",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections)
        ),
        services: services + [notifier],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
