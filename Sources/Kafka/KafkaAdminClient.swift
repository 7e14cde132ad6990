import Logging

/// Creates topics and reads cluster metadata.
public final class KafkaAdminClient: Sendable {
    /// What ``createTopics(_:timeout:)`` did with one topic.
    public enum TopicCreation: Sendable {
        /// The topic was created now.
        case created
        /// The topic existed already; it was left as it is (its partition count may differ).
        case alreadyExists
    }

    private let client: RDKafkaClient
    private let bootstrapServers: String

    private init(client: RDKafkaClient, bootstrapServers: String) {
        self.client = client
        self.bootstrapServers = bootstrapServers
    }

    /// Creates an admin client; it connects lazily, on the first request.
    public static func makeAdminClient(bootstrapServers: String, logger: Logger) throws -> KafkaAdminClient {
        let client = try RDKafkaClient.make(
            kind: .producer,
            properties: [("bootstrap.servers", bootstrapServers), ("client.id", "case-reminders-admin")],
            deliveryReports: false,
            // Nobody polls this client, so let librdkafka log errors instead of queueing them.
            errorEvents: false,
            logger: logger
        )
        return KafkaAdminClient(client: client, bootstrapServers: bootstrapServers)
    }

    /// Creates the topics that do not exist yet; safe to repeat.
    ///
    /// - Returns: each topic's outcome, by name.
    /// - Throws: ``KafkaError`` (`.admin` or `.timeout`) if any topic could not be created.
    public func createTopics(
        _ topics: [KafkaTopicSpecification],
        timeout: Duration
    ) async throws -> [String: TopicCreation] {
        let timeoutMilliseconds = timeout.timeoutMilliseconds
        return try await client.runBlocking { [client] in
            try client.createTopics(topics, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// The partition count of every topic in the cluster's metadata, by topic name.
    public func partitionCounts(timeout: Duration) async throws -> [String: Int32] {
        let timeoutMilliseconds = timeout.timeoutMilliseconds
        let result = try await client.runBlocking { [client] in
            client.metadata(allTopics: true, timeoutMilliseconds: timeoutMilliseconds)
        }
        switch result {
        case .success(let metadata):
            return metadata.partitionCounts
        case .failure(let error):
            throw KafkaError(
                code: .connection,
                message: "cannot read metadata from Kafka broker at \(bootstrapServers): \(error.reason)",
                rdKafkaError: error.rawCode,
                isRetriable: true
            )
        }
    }
}
