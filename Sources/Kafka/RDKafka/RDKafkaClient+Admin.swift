internal import CRDKafka

/// Admin calls (blocking; run them through `runBlocking`).
extension RDKafkaClient {
    /// Creates topics; a topic that already exists is reported, not an error.
    func createTopics(
        _ topics: [KafkaTopicSpecification],
        timeoutMilliseconds: Int32
    ) throws -> [String: KafkaAdminClient.TopicCreation] {
        guard !topics.isEmpty else { return [:] }
        var errorText = [CChar](repeating: 0, count: 512)

        var newTopics: [OpaquePointer?] = []
        defer {
            for newTopic in newTopics { rd_kafka_NewTopic_destroy(newTopic) }
        }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, topic.partitions, Int32(topic.replicationFactor), &errorText, errorText.count)
            else {
                throw KafkaError(
                    code: .admin, message: "invalid topic '\(topic.name)': \(String(errorBuffer: errorText))")
            }
            newTopics.append(newTopic)
            for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_NewTopic_set_config(newTopic, key, value)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(
                        code: .admin,
                        message: "invalid config '\(key)' for topic '\(topic.name)': \(Self.reason(of: code))",
                        rdKafkaError: code.rawValue
                    )
                }
            }
        }

        guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError(code: .admin, message: "cannot allocate admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        // Let the broker wait for the topics to exist before it answers.
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorText, errorText.count)

        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(code: .admin, message: "cannot allocate a result queue")
        }
        defer { rd_kafka_queue_destroy(queue) }

        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)

        // librdkafka times the request out itself; the margin only guards against a lost result.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds &+ 5_000) else {
            throw KafkaError(code: .timeout, message: "creating topics timed out", isRetriable: true)
        }
        defer { rd_kafka_event_destroy(event) }

        let eventCode = rd_kafka_event_error(event)
        guard eventCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? Self.reason(of: eventCode)
            throw KafkaError(
                code: eventCode == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : .admin,
                message: "creating topics failed (\(Self.name(of: eventCode))): \(reason)",
                rdKafkaError: eventCode.rawValue,
                isRetriable: Self.isRetriable(eventCode)
            )
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .admin, message: "creating topics returned no result")
        }

        var resultCount = 0
        guard let topicResults = rd_kafka_CreateTopics_result_topics(result, &resultCount) else {
            throw KafkaError(code: .admin, message: "creating topics returned no topic results")
        }
        var outcomes: [String: KafkaAdminClient.TopicCreation] = [:]
        var failures: [String] = []
        var firstFailureCode: rd_kafka_resp_err_t?
        for index in 0..<resultCount {
            guard let topicResult = topicResults[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let code = rd_kafka_topic_result_error(topicResult)
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                outcomes[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
                outcomes[name] = .alreadyExists
            default:
                let reason = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
                failures.append("'\(name)' (\(Self.name(of: code))): \(reason ?? Self.reason(of: code))")
                firstFailureCode = firstFailureCode ?? code
            }
        }
        if let firstFailureCode {
            throw KafkaError(
                code: .admin,
                message: "cannot create topics \(failures.joined(separator: "; "))",
                rdKafkaError: firstFailureCode.rawValue,
                isRetriable: Self.isRetriable(firstFailureCode)
            )
        }
        return outcomes
    }
}
