import ArgumentParser
import Kafka
import Logging
import ReminderAdmin

/// `reminders topics`: creates the topics defined in `TOPICS_DIR`.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create every topic defined in TOPICS_DIR on KAFKA_BOOTSTRAP_SERVERS (existing ones are kept)."
    )

    @Flag(help: "Only check the definitions; do not contact the broker.")
    var check = false

    func run() async throws {
        try await reportingFailures(of: "topics") {
            let settings = try Settings()
            let logger = makeLogger(label: "reminders.topics", settings: settings)
            let catalog = try TopicCatalog.load(fromDirectory: settings.topicsDirectory)
            if check {
                logger.info("topic definitions are consistent", metadata: ["topics": "\(catalog.definitions.count)"])
                return
            }
            let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: settings.kafkaBootstrapServers, logger: logger)
            try await TopicCreator(admin: admin, logger: logger).createTopics(
                of: catalog, prefix: settings.kafkaTopicPrefix, replicationFactor: settings.kafkaTopicReplicationFactor
            )
        }
    }
}
