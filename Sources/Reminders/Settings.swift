import Foundation
import ReminderDomain
import ReminderStore
import Synchronization

/// Every environment variable the binary reads, with its default, in one
/// place. The names are the contract with operators (see README).
struct Settings: Sendable {
    // Master switches (default: off, for safety).
    var remindersEnabled = false
    var emailEnabled = false
    var mattermostEnabled = false
    var webhookEnabled = false
    var dryRun = true
    // Scheduler and dispatcher.
    var checkIntervalMinutes = 5
    var maxPerUserPerHour = 5
    var queueBatchSize = 10
    var caseClosedStatuses = CaseClosingStatuses(parsing: CaseClosingStatuses.defaultText)!
    var heldDigest = false
    // SMTP.
    var smtpHost = ""
    var smtpPort = 587
    var smtpUser = ""
    var smtpPassword = ""
    var smtpUseTLS = true
    var smtpFromAddress = "noreply@bmcnetworks.dk"
    var smtpFromName = "BMC Hub"
    // Mattermost and links.
    var mattermostWebhookURL = ""
    var publicBaseURL = "http://localhost:8000"
    // Webhooks.
    var webhookSecretKey = ""
    var webhookAllowLoopback = false
    var deliveryMaxAttempts = 8
    var deliveryBatchSize = 200
    var deliveryBatchesInFlight = 2
    var deliveryConcurrency = 16
    var deliveryConcurrencyStep = 32
    var dispatcherBatchesInFlight = 2
    var dispatcherBacklogBatches = 20
    // Gateway.
    var jwtSecret = ""
    var jwtIssuer = ""
    var jwtAudience = ""
    var allowedEmailDomains = ""
    var maxRemindersCreatedPerHour = 60
    var gatewayHost = "0.0.0.0"
    var gatewayPort = 8000
    var gatewayIdleTimeoutSeconds = 30
    var gatewayMaxConnections = 10_000
    var gatewayMaxStreams = 8_000
    var gatewayMaxStreamsPerUser = 10
    // Infrastructure.
    var databaseURL: String?
    var kafkaBootstrapServers = "localhost:9092"
    var kafkaTopicPrefix = ""
    /// `nil`: the broker's default (`default.replication.factor`), which a
    /// managed cluster sets to match its `min.insync.replicas`.
    var kafkaTopicReplicationFactor: Int?
    var kafkaFetchWaitMilliseconds = 100
    var kafkaSessionTimeoutMilliseconds = 6000
    var kafkaGroupInstanceID = ""
    var kafkaPartitionAssignment = "leases"
    var kafkaPartitionLeaseMilliseconds = 3000
    var migrationsDirectory = "migrations"
    var topicsDirectory = "topics"
    var relayBatchSize = 1000
    var relayMaxAttempts = 5
    var relayRoundsInFlight = 4
    var relayRoundIntervalMilliseconds = 5
    var schedulerBatchSize = 500
    var schedulerConcurrency = 2
    var logLevel = "info"
    var logFormat = "text"
    // Health, readiness and Prometheus metrics of services without an API port.
    var metricsPort = 9090

    /// Reads `environment`; a value that is present but invalid is an error
    /// naming the variable.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(reader: Reader(environment: environment))
    }

    private init(reader: Reader) throws {
        remindersEnabled = try reader.bool("REMINDERS_ENABLED", default: remindersEnabled)
        emailEnabled = try reader.bool("REMINDERS_EMAIL_ENABLED", default: emailEnabled)
        mattermostEnabled = try reader.bool("REMINDERS_MATTERMOST_ENABLED", default: mattermostEnabled)
        webhookEnabled = try reader.bool("REMINDERS_WEBHOOK_ENABLED", default: webhookEnabled)
        dryRun = try reader.bool("REMINDERS_DRY_RUN", default: dryRun)
        checkIntervalMinutes = try reader.int("REMINDERS_CHECK_INTERVAL_MINUTES", default: checkIntervalMinutes, range: 1...1440)
        maxPerUserPerHour = try reader.int("REMINDERS_MAX_PER_USER_PER_HOUR", default: maxPerUserPerHour, range: 1...10_000)
        queueBatchSize = try reader.int("REMINDERS_QUEUE_BATCH_SIZE", default: queueBatchSize, range: 1...100_000)
        let closedStatuses = reader.string("REMINDERS_CASE_CLOSED_STATUSES", default: CaseClosingStatuses.defaultText)
        guard let parsedStatuses = CaseClosingStatuses(parsing: closedStatuses) else {
            throw SettingsError("REMINDERS_CASE_CLOSED_STATUSES must be a comma-separated list of statuses without quotes or control characters")
        }
        caseClosedStatuses = parsedStatuses
        heldDigest = try reader.bool("REMINDERS_HELD_DIGEST", default: heldDigest)
        smtpHost = reader.string("EMAIL_SMTP_HOST", default: smtpHost)
        smtpPort = try reader.int("EMAIL_SMTP_PORT", default: smtpPort, range: 1...65535)
        smtpUser = reader.string("EMAIL_SMTP_USER", default: smtpUser)
        smtpPassword = reader.string("EMAIL_SMTP_PASSWORD", default: smtpPassword)
        smtpUseTLS = try reader.bool("EMAIL_SMTP_USE_TLS", default: smtpUseTLS)
        smtpFromAddress = reader.string("EMAIL_SMTP_FROM_ADDRESS", default: smtpFromAddress)
        smtpFromName = reader.string("EMAIL_SMTP_FROM_NAME", default: smtpFromName)
        mattermostWebhookURL = reader.string("MATTERMOST_WEBHOOK_URL", default: mattermostWebhookURL)
        publicBaseURL = reader.string("PUBLIC_BASE_URL", default: publicBaseURL)
        webhookSecretKey = reader.string("REMINDERS_WEBHOOK_SECRET_KEY", default: webhookSecretKey)
        webhookAllowLoopback = try reader.bool("REMINDERS_WEBHOOK_ALLOW_LOOPBACK", default: webhookAllowLoopback)
        deliveryMaxAttempts = try reader.int("DELIVERY_MAX_ATTEMPTS", default: deliveryMaxAttempts, range: 1...100)
        deliveryBatchSize = try reader.int("DELIVERY_BATCH_SIZE", default: deliveryBatchSize, range: 1...10_000)
        deliveryBatchesInFlight = try reader.int("DELIVERY_BATCHES_IN_FLIGHT", default: deliveryBatchesInFlight, range: 1...16)
        deliveryConcurrency = try reader.int("DELIVERY_CONCURRENCY", default: deliveryConcurrency, range: 1...256)
        deliveryConcurrencyStep = try reader.int("DELIVERY_CONCURRENCY_STEP", default: deliveryConcurrencyStep, range: 1...10_000)
        dispatcherBatchesInFlight = try reader.int("DISPATCHER_BATCHES_IN_FLIGHT", default: dispatcherBatchesInFlight, range: 1...16)
        dispatcherBacklogBatches = try reader.int("DISPATCHER_BACKLOG_BATCHES", default: dispatcherBacklogBatches, range: 1...1000)
        jwtSecret = reader.string("JWT_SECRET", default: jwtSecret)
        jwtIssuer = reader.string("JWT_ISSUER", default: jwtIssuer)
        jwtAudience = reader.string("JWT_AUDIENCE", default: jwtAudience)
        allowedEmailDomains = reader.string("REMINDERS_ALLOWED_EMAIL_DOMAINS", default: allowedEmailDomains)
        maxRemindersCreatedPerHour = try reader.int("REMINDERS_MAX_CREATED_PER_HOUR", default: maxRemindersCreatedPerHour, range: 1...100_000)
        gatewayHost = reader.string("GATEWAY_HOST", default: gatewayHost)
        gatewayPort = try reader.int("GATEWAY_PORT", default: gatewayPort, range: 1...65535)
        gatewayIdleTimeoutSeconds = try reader.int("GATEWAY_IDLE_TIMEOUT_SECONDS", default: gatewayIdleTimeoutSeconds, range: 1...3600)
        gatewayMaxConnections = try reader.int("GATEWAY_MAX_CONNECTIONS", default: gatewayMaxConnections, range: 1...1_000_000)
        gatewayMaxStreams = try reader.int("GATEWAY_MAX_STREAMS", default: gatewayMaxStreams, range: 1...1_000_000)
        gatewayMaxStreamsPerUser = try reader.int("GATEWAY_MAX_STREAMS_PER_USER", default: gatewayMaxStreamsPerUser, range: 1...1000)
        databaseURL = reader.optionalString("DATABASE_URL")
        kafkaBootstrapServers = reader.string("KAFKA_BOOTSTRAP_SERVERS", default: kafkaBootstrapServers)
        kafkaTopicPrefix = reader.string("KAFKA_TOPIC_PREFIX", default: kafkaTopicPrefix)
        kafkaTopicReplicationFactor = try reader.optionalInt("KAFKA_TOPIC_REPLICATION_FACTOR", range: 1...32767)
        kafkaFetchWaitMilliseconds = try reader.int("KAFKA_FETCH_WAIT_MAX_MS", default: kafkaFetchWaitMilliseconds, range: 1...10_000)
        kafkaSessionTimeoutMilliseconds = try reader.int(
            "KAFKA_SESSION_TIMEOUT_MS", default: kafkaSessionTimeoutMilliseconds, range: 1000...300_000
        )
        kafkaGroupInstanceID = reader.string("KAFKA_GROUP_INSTANCE_ID", default: kafkaGroupInstanceID)
        kafkaPartitionAssignment = try reader.choice(
            "KAFKA_PARTITION_ASSIGNMENT", default: kafkaPartitionAssignment, among: ["leases", "group"]
        )
        kafkaPartitionLeaseMilliseconds = try reader.int(
            "KAFKA_PARTITION_LEASE_MS", default: kafkaPartitionLeaseMilliseconds, range: 1000...300_000
        )
        migrationsDirectory = reader.string("MIGRATIONS_DIR", default: migrationsDirectory)
        topicsDirectory = reader.string("TOPICS_DIR", default: topicsDirectory)
        relayBatchSize = try reader.int("RELAY_BATCH_SIZE", default: relayBatchSize, range: 1...100_000)
        relayMaxAttempts = try reader.int("RELAY_MAX_ATTEMPTS", default: relayMaxAttempts, range: 1...1000)
        relayRoundsInFlight = try reader.int("RELAY_ROUNDS_IN_FLIGHT", default: relayRoundsInFlight, range: 1...64)
        relayRoundIntervalMilliseconds = try reader.int(
            "RELAY_ROUND_INTERVAL_MS", default: relayRoundIntervalMilliseconds, range: 0...1000
        )
        schedulerBatchSize = try reader.int("SCHEDULER_BATCH_SIZE", default: schedulerBatchSize, range: 1...100_000)
        schedulerConcurrency = try reader.int("SCHEDULER_CONCURRENCY", default: schedulerConcurrency, range: 1...64)
        logLevel = try reader.choice("LOG_LEVEL", default: logLevel, among: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        logFormat = try reader.choice("LOG_FORMAT", default: logFormat, among: ["text", "json"])
        metricsPort = try reader.int("METRICS_PORT", default: metricsPort, range: 0...65535)
    }

    /// One environment variable the binary reads.
    struct Variable: Sendable {
        var name: String
        var defaultValue: String
        /// Holds a password or token (or a URL that may carry one): never print its value.
        var isSecret: Bool
    }

    /// Every variable `init` reads, in reading order, with its default: taken
    /// from the reads themselves, so the list cannot drift from the code.
    static func variables() -> [Variable] {
        let reader = Reader(environment: [:])
        _ = try? Settings(reader: reader)
        return reader.reads.withLock { $0 }
    }

    static let secretVariables: Set<String> = [
        "DATABASE_URL", "EMAIL_SMTP_PASSWORD", "JWT_SECRET", "MATTERMOST_WEBHOOK_URL", "REMINDERS_WEBHOOK_SECRET_KEY",
    ]

    /// `DATABASE_URL`, which every role needs.
    func requireDatabaseURL() throws -> String {
        guard let databaseURL, !databaseURL.isEmpty else {
            throw SettingsError("DATABASE_URL is not set (expected e.g. postgresql://user:password@host:5432/database)")
        }
        guard databaseURL.hasPrefix("postgresql://") || databaseURL.hasPrefix("postgres://") else {
            throw SettingsError("DATABASE_URL must start with postgresql:// or postgres://")
        }
        return databaseURL
    }

    /// The webhook secrets' key (`REMINDERS_WEBHOOK_SECRET_KEY`), or `nil` when unset.
    func webhookSecretBox() throws -> WebhookSecretBox? {
        guard !webhookSecretKey.isEmpty else { return nil }
        do {
            return try WebhookSecretBox(base64Key: webhookSecretKey)
        } catch {
            throw SettingsError("\(error)")
        }
    }

    private final class Reader: Sendable {
        let environment: [String: String]
        let reads = Mutex<[Variable]>([])

        init(environment: [String: String]) {
            self.environment = environment
        }

        private func note(_ key: String, _ defaultValue: String) {
            reads.withLock { $0.append(Variable(name: key, defaultValue: defaultValue, isSecret: Settings.secretVariables.contains(key))) }
        }

        func optionalString(_ key: String) -> String? {
            note(key, "")
            return value(key)
        }

        private func value(_ key: String) -> String? {
            environment[key].map { $0.trimmingCharacters(in: .whitespaces) }
        }

        func string(_ key: String, default value: String) -> String {
            note(key, value)
            return self.value(key) ?? value
        }

        func bool(_ key: String, default value: Bool) throws -> Bool {
            note(key, "\(value)")
            guard let text = self.value(key)?.lowercased(), !text.isEmpty else { return value }
            switch text {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw SettingsError("\(key) must be true or false, not \"\(text)\"")
            }
        }

        func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            note(key, "\(value)")
            guard let text = self.value(key), !text.isEmpty else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw SettingsError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
            return number
        }

        /// A whole number, or `nil` when unset or empty.
        func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
            note(key, "")
            guard let text = self.value(key), !text.isEmpty else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw SettingsError("\(key) must be empty or a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
            return number
        }

        func choice(_ key: String, default value: String, among choices: [String]) throws -> String {
            note(key, value)
            guard let text = self.value(key)?.lowercased(), !text.isEmpty else { return value }
            guard choices.contains(text) else {
                throw SettingsError("\(key) must be one of \(choices.joined(separator: ", ")), not \"\(text)\"")
            }
            return text
        }
    }
}

/// A configuration problem, worded for the one line the binary prints.
struct SettingsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
