import Foundation
import Kafka
import Logging
import OutboxRelay
import Postgres
import ReminderAdmin
import ReminderContracts
import ReminderDispatcher
import ReminderDomain
import ReminderScheduler
import ReminderStore

/// The pipeline's services running in-process against a test database, on
/// topics of the test's own (a unique prefix), so tests never see each
/// other's messages.
struct Pipeline: Sendable {
    var schedulers = 1
    var dispatchers = 1
    var maxPerHour = 5
    /// The rate window's length; shorter than the seed's hour where a test waits for it to pass.
    var rateWindowSeconds: TimeInterval = 3600
    /// `REMINDERS_HELD_DIGEST`.
    var heldDigest = false
    var topicPrefix = "test-" + TestEnvironment.uniqueSuffix() + "."

    /// Runs relay, schedulers and dispatchers while `body` runs.
    func run<R: Sendable>(
        database: TestDatabase, postgres: PostgresClient,
        _ body: @Sendable () async throws -> R
    ) async throws -> R {
        // As `reminders topics` does before a deployment starts.
        let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: TestEnvironment.kafkaBootstrapServers, logger: TestEnvironment.logger("test.admin"))
        // Two partitions each (enough for two dispatchers to share the work):
        // the shared test broker keeps every topic of the run in memory and
        // slows down with each partition.
        let catalog = try TopicCatalog.load(fromDirectory: TestEnvironment.topicsDirectory)
        try await TopicCreator(admin: admin, logger: TestEnvironment.logger("test.admin"))
            .createTopics(of: TopicCatalog(definitions: catalog.definitions.map { definition in
                var definition = definition
                definition.partitions = min(definition.partitions, 2)
                return definition
            }), prefix: topicPrefix)
        var relayConfiguration = OutboxRelayConfiguration()
        relayConfiguration.topicPrefix = topicPrefix
        relayConfiguration.pollInterval = .milliseconds(200)
        let relay = OutboxRelay(
            postgres: postgres, postgresConfiguration: database.configuration,
            producerConfiguration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBootstrapServers),
            configuration: relayConfiguration, logger: TestEnvironment.logger("test.relay")
        )
        var schedulerConfiguration = SchedulerConfiguration()
        schedulerConfiguration.enabled = true
        schedulerConfiguration.longestSleep = .seconds(1)
        let schedulers = (0..<schedulers).map { _ in
            SchedulerService(
                postgres: postgres,
                repository: PostgresSchedulerRepository(
                    postgres: postgres,
                    heldDigestLimit: heldDigest ? RateLimitWindow(limit: maxPerHour, window: rateWindowSeconds) : nil
                ),
                configuration: schedulerConfiguration, logger: TestEnvironment.logger("test.scheduler")
            )
        }
        var dispatcherConfiguration = DispatcherConfiguration()
        dispatcherConfiguration.enabled = true
        dispatcherConfiguration.maxPerRecipientPerHour = maxPerHour
        dispatcherConfiguration.rateWindowSeconds = rateWindowSeconds
        let dispatchers = (0..<dispatchers).map { _ in
            DispatcherService(
                repository: PostgresDispatchRepository(postgres: postgres, recordsHeld: heldDigest),
                consumerConfiguration: KafkaConsumerConfiguration.testing(
                    groupID: topicPrefix + dispatcherConfiguration.groupID, topics: [topicPrefix + TopicName.fired]
                ),
                configuration: dispatcherConfiguration, logger: TestEnvironment.logger("test.dispatcher")
            )
        }
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await relay.run(); return nil }
            for scheduler in schedulers { group.addTask { try await scheduler.run(); return nil } }
            for dispatcher in dispatchers { group.addTask { try await dispatcher.run(); return nil } }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

extension Fixtures {
    /// A time-based reminder due `secondsAgo` seconds ago.
    static func timeBasedReminder(
        _ postgres: PostgresClient, sagID: Int, recipients: [Int], emails: [String] = [],
        recurrence: String = "once", scheduledAt: Date = Date().addingTimeInterval(-60), priority: String = "normal"
    ) async throws -> Int {
        let rows = try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, trigger_type, recipient_user_ids, recipient_emails,
                                       recurrence_type, scheduled_at, priority)
            VALUES ($1, 'Follow up', 'Call the customer', 'time_based', $2, $3, $4, $5, $6)
            RETURNING id
            """,
            [sagID, recipients, emails, recurrence, scheduledAt, priority]
        )
        return try rows[0].decode("id")
    }
}
