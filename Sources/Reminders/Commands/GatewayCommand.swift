import ArgumentParser
import ReminderGateway

/// `reminders gateway`: the REST API, the event stream and the browser script.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve the REST API, the in-app notification stream and notifications.js on GATEWAY_HOST:GATEWAY_PORT."
    )

    @Flag(help: "Also serve the demo page (/demo) and stand-in case endpoints (GET/PATCH /api/v1/sag/{sag_id}).")
    var demo = false

    func run() async throws {
        try await reportingFailures(of: "gateway") {
            // Checked before anything else: without the secret no request could be authenticated.
            let settings = try Settings()
            if let problem = JWTSecretPolicy.problem(with: settings.jwtSecret, demo: demo) {
                throw SettingsError(problem)
            }
            let runner = try await ServiceRunner(role: "gateway")
            var configuration = GatewayConfiguration(jwtSecret: runner.settings.jwtSecret)
            configuration.jwtIssuer = runner.settings.jwtIssuer.isEmpty ? nil : runner.settings.jwtIssuer
            configuration.jwtAudience = runner.settings.jwtAudience.isEmpty ? nil : runner.settings.jwtAudience
            configuration.allowedEmailDomains = EmailDomainPolicy(
                setting: runner.settings.allowedEmailDomains, senderAddress: runner.settings.smtpFromAddress
            )
            configuration.maximumRemindersCreatedPerHour = runner.settings.maxRemindersCreatedPerHour
            configuration.host = runner.settings.gatewayHost
            configuration.port = runner.settings.gatewayPort
            configuration.demoEnabled = demo
            configuration.idleTimeout = .seconds(runner.settings.gatewayIdleTimeoutSeconds)
            configuration.maximumConnections = runner.settings.gatewayMaxConnections
            configuration.maximumStreams = runner.settings.gatewayMaxStreams
            configuration.maximumStreamsPerUser = runner.settings.gatewayMaxStreamsPerUser
            configuration.webhookSecrets = try runner.settings.webhookSecretBox()
            configuration.webhookAllowLoopback = runner.settings.webhookAllowLoopback
            let logger = runner.logger
            let demo = self.demo
            let app = try buildApplication(
                postgres: runner.postgres, configuration: configuration, logger: logger, runsPostgres: false,
                readiness: runner.readiness, metrics: runner.metrics,
                onServerRunning: { port in logger.info("gateway listening", metadata: ["port": "\(port)", "demo": "\(demo)"]) }
            )
            try await runner.run([app], servesHealth: true)
        }
    }
}
