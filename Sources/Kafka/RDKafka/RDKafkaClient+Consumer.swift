internal import CRDKafka
import Foundation

/// Consumer calls.
extension RDKafkaClient {
    /// Subscribes the group member to `topics` (non-blocking; the join happens while polling).
    func subscribe(to topics: [String]) throws {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: topics.count)) else {
            throw KafkaError(code: .configuration, message: "cannot allocate a topic list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics {
            rd_kafka_topic_partition_list_add(list, topic, crdkafka_partition_unassigned())
        }
        let code = rd_kafka_subscribe(handle, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: .configuration,
                message: "cannot subscribe to \(topics): \(Self.reason(of: code))",
                rdKafkaError: code.rawValue
            )
        }
    }

    /// What one consumer poll produced.
    enum ConsumerPollResult {
        case message(KafkaConsumerMessage)
        case nothing
        /// A consumer-level error event; the poll loop decides whether it is fatal.
        case error(KafkaError)
    }

    /// Waits up to `timeoutMilliseconds` for one record or event; blocking, so call it from the
    /// consumer's poll thread. The C message is copied and destroyed here.
    func consumerPoll(timeoutMilliseconds: Int32) -> ConsumerPollResult {
        guard let message = rd_kafka_consumer_poll(handle, timeoutMilliseconds) else { return .nothing }
        defer { rd_kafka_message_destroy(message) }
        let code = message.pointee.err
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if code == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError() { return .error(fatal) }
            let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) }
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? Self.reason(of: code)
            return .error(
                KafkaError(
                    code: .consume,
                    message: "consumer error\(topic.map { " on topic '\($0)'" } ?? "") (\(Self.name(of: code))): \(reason)",
                    rdKafkaError: code.rawValue,
                    isRetriable: Self.isRetriable(code) || code == RD_KAFKA_RESP_ERR__PARTITION_EOF
                )
            )
        }
        var received = KafkaConsumerMessage(copying: message)
        // The watermark cached from the last fetch response: no broker round trip.
        var low: Int64 = 0
        var high: Int64 = 0
        if let topic = message.pointee.rkt,
           rd_kafka_get_watermark_offsets(handle, rd_kafka_topic_name(topic), message.pointee.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
           high >= 0 {
            received.highWatermark = high
        }
        return .message(received)
    }

    /// Whether an error returned by ``consumerPoll(timeoutMilliseconds:)`` only marks a partition's end.
    static func isPartitionEOF(_ error: KafkaError) -> Bool {
        error.rdKafkaError == RD_KAFKA_RESP_ERR__PARTITION_EOF.rawValue
    }

    /// Leaves the group and stops fetching (blocking until the group is left).
    func closeConsumer() throws {
        let code = rd_kafka_consumer_close(handle)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: .consume,
                message: "closing the consumer failed: \(Self.reason(of: code))",
                rdKafkaError: code.rawValue
            )
        }
    }

    /// One partition's next offset to commit.
    struct CommitOffset: Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    /// Commits `offsets` synchronously with the group coordinator (blocking).
    func commit(_ offsets: [CommitOffset]) throws {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: offsets.count)) else {
            throw KafkaError(code: .commit, message: "cannot allocate a partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in offsets {
            rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)?.pointee.offset = entry.offset
        }
        let code = rd_kafka_commit(handle, list, 0)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw commitError(code: code, detail: nil)
        }
        // The call can succeed overall while single partitions fail.
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            guard element.err != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            throw commitError(code: element.err, detail: "\(String(cString: element.topic))/\(element.partition)")
        }
    }

    private func commitError(code: rd_kafka_resp_err_t, detail: String?) -> KafkaError {
        if code == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError() { return fatal }
        return KafkaError(
            code: .commit,
            message: "commit failed\(detail.map { " for \($0)" } ?? "") (\(Self.name(of: code))): \(Self.reason(of: code))",
            rdKafkaError: code.rawValue,
            isRetriable: Self.isRetriable(code)
        )
    }
}

extension KafkaConsumerMessage {
    /// Copies a received C message into Swift values (the C message may be destroyed afterwards).
    fileprivate init(copying message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let record = message.pointee
        let topic = record.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = record.key.map { Array(UnsafeRawBufferPointer(start: $0, count: record.key_len)) }
        let value = record.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: record.len)) } ?? []

        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer?
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>?
            var headerValue: UnsafeRawPointer?
            var headerSize = 0
            while rd_kafka_header_get_all(headerList, index, &name, &headerValue, &headerSize)
                == RD_KAFKA_RESP_ERR_NO_ERROR
            {
                headers.append(
                    KafkaHeader(
                        key: name.map { String(cString: $0) } ?? "",
                        value: headerValue.map { Array(UnsafeRawBufferPointer(start: $0, count: headerSize)) }
                    )
                )
                index += 1
            }
        }

        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        let timestamp = milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil

        self.init(
            topic: topic,
            partition: record.partition,
            offset: record.offset,
            key: key,
            value: value,
            headers: headers,
            timestamp: timestamp
        )
    }
}

/// Assignment by the application (a lease-sharing group), outside any rebalance.
extension RDKafkaClient {
    /// Starts fetching `partitions` from the group's committed offsets (or
    /// `auto.offset.reset` without one), keeping the current assignment.
    func incrementalAssign(_ partitions: Set<KafkaTopicPartition>) throws {
        try changeAssignment(partitions, adding: true)
    }

    /// Stops fetching `partitions`; librdkafka discards what it fetched of them.
    func incrementalUnassign(_ partitions: Set<KafkaTopicPartition>) throws {
        try changeAssignment(partitions, adding: false)
    }

    private func changeAssignment(_ partitions: Set<KafkaTopicPartition>, adding: Bool) throws {
        guard !partitions.isEmpty else { return }
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: partitions.count)) else {
            throw KafkaError(code: .configuration, message: "cannot allocate a partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions {
            // The offset stays RD_KAFKA_OFFSET_INVALID: read from the committed one.
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)
        }
        let error = adding ? rd_kafka_incremental_assign(handle, list) : rd_kafka_incremental_unassign(handle, list)
        guard let error else { return }
        defer { rd_kafka_error_destroy(error) }
        throw KafkaError(
            code: .consume,
            message: "cannot \(adding ? "assign" : "unassign") \(partitions.map(\.description).sorted()): "
                + String(cString: rd_kafka_error_string(error)),
            rdKafkaError: rd_kafka_error_code(error).rawValue
        )
    }
}
