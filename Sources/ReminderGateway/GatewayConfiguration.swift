import Curl
import ReminderStore
/// How the gateway runs.
public struct GatewayConfiguration: Sendable {
    /// Address to bind.
    public var host: String = "0.0.0.0"
    /// Port to bind (0: any free port).
    public var port: Int = 8000
    /// The HS256 secret the host application signs its tokens with (`JWT_SECRET`).
    public var jwtSecret: String
    /// The `iss` tokens must carry (`JWT_ISSUER`); `nil`: not checked.
    public var jwtIssuer: String?
    /// A value tokens' `aud` must carry (`JWT_AUDIENCE`); `nil`: not checked.
    public var jwtAudience: String?
    /// Domains that `recipient_emails` and `email_override` may use
    /// (`REMINDERS_ALLOWED_EMAIL_DOMAINS`), so the API cannot send the company's
    /// mail to arbitrary outside addresses.
    public var allowedEmailDomains: EmailDomainPolicy = .any
    /// Reminders one user may create per rolling hour (`REMINDERS_MAX_CREATED_PER_HOUR`).
    public var maximumRemindersCreatedPerHour: Int = 60
    /// How often an idle event stream sends a heartbeat comment (and re-checks the inbox).
    public var heartbeatInterval: Duration = .seconds(15)
    /// How long one event stream stays open; the browser reconnects with `Last-Event-ID`, which
    /// spreads long-lived connections over restarted or added gateways.
    public var streamLifetime: Duration = .seconds(300)
    /// How long a connection may stay silent before it is closed: a request's head that does
    /// not arrive in full, or a keep-alive connection between requests (`GATEWAY_IDLE_TIMEOUT_SECONDS`).
    /// An open event stream is not idle.
    public var idleTimeout: Duration = .seconds(30)
    /// Open connections at most; beyond it new ones wait in the listen backlog (`GATEWAY_MAX_CONNECTIONS`).
    public var maximumConnections: Int = 10_000
    /// Event streams at most, and per user; one more is a 429 (`GATEWAY_MAX_STREAMS`,
    /// `GATEWAY_MAX_STREAMS_PER_USER`).
    public var maximumStreams: Int = 8_000
    public var maximumStreamsPerUser: Int = 10
    /// Serve the demo page and the stand-in case endpoints (`GET`/`PATCH /api/v1/sag/{sag_id}`)
    /// that the host application provides in production.
    public var demoEnabled: Bool = false
    /// Seals the secrets of new webhook subscriptions (`REMINDERS_WEBHOOK_SECRET_KEY`).
    /// Without it, `POST /api/v1/webhooks` answers 503. Default none.
    public var webhookSecrets: WebhookSecretBox?
    /// Lets webhook subscriptions point at this machine, over plain http too
    /// (`REMINDERS_WEBHOOK_ALLOW_LOOPBACK`; for tests only). Default false.
    public var webhookAllowLoopback: Bool = false
    /// Resolves a webhook URL's host when a subscription is created, so a URL whose
    /// name points inside the network is refused at once. Default: the system resolver.
    public var webhookResolver: @Sendable (String) async throws -> [[UInt8]] = HostResolver.addresses(of:)

    /// A configuration with the secret and defaults for the rest.
    public init(jwtSecret: String) {
        self.jwtSecret = jwtSecret
    }
}
