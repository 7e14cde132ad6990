import ArgumentParser
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore

extension Channel: ExpressibleByArgument {}

/// `reminders worker email|mattermost|webhook`: delivers one channel. The
/// in-app channel has no worker: the dispatcher writes its inbox entries.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Consume one channel's delivery topic and deliver: e-mail (SMTP), Mattermost (webhook) or signed webhooks to subscriptions."
    )

    @Argument(help: "The channel: email, mattermost or webhook.")
    var channel: Channel

    func run() async throws {
        let channel = self.channel
        guard let topic = channel.deliveryTopic else {
            throw ValidationError("the \(channel.rawValue) channel has no worker: the dispatcher writes in-app entries to the inbox itself")
        }
        try await reportingFailures(of: "worker \(channel.rawValue)") {
            let runner = try await ServiceRunner(role: "worker.\(channel.rawValue)", statementPlanning: PostgresDeliveryRepository.statementPlanning)
            let settings = runner.settings
            var configuration = DeliveryWorkerConfiguration(channel: channel)
            configuration.dryRun = settings.dryRun
            configuration.batchSize = settings.deliveryBatchSize
            configuration.batchesInFlight = settings.deliveryBatchesInFlight
            configuration.sendsInFlight = settings.deliveryConcurrency
            configuration.sendsPerSlot = settings.deliveryConcurrencyStep
            configuration.retryPolicy.maxAttempts = settings.deliveryMaxAttempts
            let sender: (any DeliverySender)?
            switch channel {
            case .email:
                configuration.enabled = settings.emailEnabled
                if configuration.enabled, !configuration.dryRun, settings.smtpHost.isEmpty {
                    throw SettingsError("EMAIL_SMTP_HOST is not set (needed when REMINDERS_EMAIL_ENABLED=true and REMINDERS_DRY_RUN=false)")
                }
                sender = EmailSender(
                    smtp: EmailSender.smtpConfiguration(
                        host: settings.smtpHost, port: settings.smtpPort, user: settings.smtpUser,
                        password: settings.smtpPassword, useTLS: settings.smtpUseTLS, sessions: settings.deliveryConcurrency
                    ),
                    sender: .init(name: settings.smtpFromName, address: settings.smtpFromAddress),
                    templates: try EmailTemplates.bundled(),
                    publicBaseURL: settings.publicBaseURL
                )
            case .mattermost:
                configuration.enabled = settings.mattermostEnabled
                if configuration.enabled, !configuration.dryRun, settings.mattermostWebhookURL.isEmpty {
                    throw SettingsError("MATTERMOST_WEBHOOK_URL is not set (needed when REMINDERS_MATTERMOST_ENABLED=true and REMINDERS_DRY_RUN=false)")
                }
                sender = MattermostSender(
                    webhookURL: settings.mattermostWebhookURL, publicBaseURL: settings.publicBaseURL,
                    concurrentRequests: settings.deliveryConcurrency
                )
            case .frontend:
                throw SettingsError("the in-app channel has no worker")
            case .webhook:
                configuration.enabled = settings.webhookEnabled
                let secrets = try settings.webhookSecretBox()
                if configuration.enabled, !configuration.dryRun, secrets == nil {
                    throw SettingsError("REMINDERS_WEBHOOK_SECRET_KEY is not set (needed when REMINDERS_WEBHOOK_ENABLED=true and REMINDERS_DRY_RUN=false)")
                }
                sender = WebhookSender(
                    targets: PostgresWebhookTargets(postgres: runner.postgres), secrets: secrets,
                    publicBaseURL: settings.publicBaseURL, allowLoopback: settings.webhookAllowLoopback,
                    concurrentRequests: settings.deliveryConcurrency
                )
            }
            try await runner.checkBroker()
            let worker = DeliveryWorker(
                repository: PostgresDeliveryRepository(postgres: runner.postgres),
                sender: sender,
                consumerConfiguration: runner.consumerConfiguration(group: configuration.groupID, topics: [topic]),
                configuration: configuration,
                logger: runner.logger,
                readiness: runner.readiness
            )
            try await runner.run([worker])
        }
    }
}
