internal import CRDKafka
import Dispatch
import Logging

/// Owns one librdkafka handle (`rd_kafka_t`); every C call of the module lives in this folder.
///
/// librdkafka handles are thread-safe, so the class is `Sendable`. Calls that block (metadata,
/// commits, admin requests) go through ``runBlocking(_:)`` so they never occupy the
/// cooperative thread pool.
final class RDKafkaClient: @unchecked Sendable {
    /// The librdkafka client type.
    enum Kind {
        case producer
        case consumer

        fileprivate var rdKafkaType: rd_kafka_type_t {
            switch self {
            case .producer: RD_KAFKA_PRODUCER
            case .consumer: RD_KAFKA_CONSUMER
            }
        }
    }

    let handle: OpaquePointer
    let kind: Kind
    let logger: Logger
    /// Kept alive as long as the handle, because librdkafka's callbacks reach it through the opaque pointer.
    let callbackContext: RDKafkaCallbackContext
    private let blockingQueue: DispatchQueue

    private init(handle: OpaquePointer, kind: Kind, callbackContext: RDKafkaCallbackContext, logger: Logger) {
        self.handle = handle
        self.kind = kind
        self.callbackContext = callbackContext
        self.logger = logger
        self.blockingQueue = DispatchQueue(label: "kafka.rdkafka.blocking")
    }

    deinit {
        // A consumer that never closed would block here leaving its group; consumers close
        // themselves when `run()` ends, so skip that.
        rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
    }

    /// Creates a client from librdkafka properties (applied in order, later ones win).
    ///
    /// - Parameters:
    ///   - deliveryReports: route per-message delivery reports to ``RDKafkaDeliveryPromise``s.
    ///   - errorEvents: receive client errors as events served by polling (needed to notice fatal
    ///     errors promptly); without it librdkafka only logs them, which suits clients nobody polls.
    static func make(
        kind: Kind,
        properties: [(key: String, value: String)],
        deliveryReports: Bool,
        errorEvents: Bool,
        logger: Logger
    ) throws -> RDKafkaClient {
        guard let configuration = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "cannot allocate a librdkafka configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(configuration, key, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(configuration)
                // librdkafka's explanation may quote the value, which may be a secret.
                let reason = isSecretProperty(key) ? "rejected" : String(errorBuffer: errorText)
                throw KafkaError(code: .configuration, message: "invalid librdkafka property '\(key)': \(reason)")
            }
        }

        let context = RDKafkaCallbackContext(logger: logger)
        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration, rdKafkaLogCallback)
        if errorEvents {
            rd_kafka_conf_set_error_cb(configuration, rdKafkaErrorCallback)
        }
        if deliveryReports {
            rd_kafka_conf_set_dr_msg_cb(configuration, rdKafkaDeliveryReportCallback)
        }
        if kind == .consumer {
            rd_kafka_conf_set_rebalance_cb(configuration, rdKafkaRebalanceCallback)
        }

        // On success librdkafka owns the configuration; on failure the caller still does.
        guard let handle = rd_kafka_new(kind.rdKafkaType, configuration, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(configuration)
            throw KafkaError(
                code: .configuration,
                message: "cannot create librdkafka client: \(String(errorBuffer: errorText))"
            )
        }
        if kind == .consumer {
            // Serve all events (rebalances, errors) from the consumer queue, so one poll loop suffices.
            rd_kafka_poll_set_consumer(handle)
        }
        return RDKafkaClient(handle: handle, kind: kind, callbackContext: context, logger: logger)
    }

    private static func isSecretProperty(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("password") || lowered.contains("secret") || lowered.contains("key")
            || lowered.contains("token")
    }

    /// Runs a blocking librdkafka call on this client's own queue and awaits its result.
    func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }

    // MARK: Events

    /// Serves queued events (delivery reports, errors) for up to `timeoutMilliseconds`.
    func poll(timeoutMilliseconds: Int32) {
        rd_kafka_poll(handle, timeoutMilliseconds)
    }

    /// The fatal error raised by librdkafka, if any; once set, the client is unusable.
    func fatalError() -> KafkaError? {
        var reason = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &reason, reason.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(
            code: .fatal,
            message: "fatal Kafka client error (\(Self.name(of: code))): \(String(errorBuffer: reason))",
            rdKafkaError: code.rawValue,
            isRetriable: false,
            isFatal: true
        )
    }

    // MARK: Metadata

    /// The parts of cluster metadata the module uses.
    struct Metadata: Sendable {
        var brokerCount: Int
        var partitionCounts: [String: Int32]
    }

    /// Fetches cluster metadata (blocking up to `timeoutMilliseconds`).
    func metadata(allTopics: Bool, timeoutMilliseconds: Int32) -> Swift.Result<Metadata, RDKafkaCallError> {
        var metadataPointer: UnsafePointer<rd_kafka_metadata_t>?
        let code = crdkafka_metadata(handle, allTopics ? 1 : 0, &metadataPointer, timeoutMilliseconds)
        return Self.metadata(code: code, pointer: metadataPointer)
    }

    /// Fetches the metadata of `topic` alone (blocking up to `timeoutMilliseconds`).
    func metadata(topic: String, timeoutMilliseconds: Int32) -> Swift.Result<Metadata, RDKafkaCallError> {
        var metadataPointer: UnsafePointer<rd_kafka_metadata_t>?
        let code = crdkafka_topic_metadata(handle, topic, &metadataPointer, timeoutMilliseconds)
        return Self.metadata(code: code, pointer: metadataPointer)
    }

    private static func metadata(
        code: rd_kafka_resp_err_t, pointer metadataPointer: UnsafePointer<rd_kafka_metadata_t>?
    ) -> Swift.Result<Metadata, RDKafkaCallError> {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadataPointer else {
            return .failure(RDKafkaCallError(code: code))
        }
        defer { rd_kafka_metadata_destroy(metadataPointer) }
        let metadata = metadataPointer.pointee
        var partitionCounts: [String: Int32] = [:]
        for index in 0..<Int(metadata.topic_cnt) {
            let topic = metadata.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
            partitionCounts[String(cString: name)] = topic.partition_cnt
        }
        return .success(Metadata(brokerCount: Int(metadata.broker_cnt), partitionCounts: partitionCounts))
    }

    /// Asks the cluster for its brokers; throws a `.connection` error naming `bootstrapServers`.
    func checkConnection(bootstrapServers: String, timeout: Duration) async throws {
        let timeoutMilliseconds = timeout.timeoutMilliseconds
        let result = try await runBlocking { [self] in
            metadata(allTopics: false, timeoutMilliseconds: timeoutMilliseconds)
        }
        switch result {
        case .success(let metadata) where metadata.brokerCount > 0:
            return
        case .success:
            throw KafkaError(
                code: .connection,
                message: "cannot reach Kafka broker at \(bootstrapServers): the cluster reported no brokers",
                isRetriable: true
            )
        case .failure(let error):
            throw KafkaError(
                code: .connection,
                message: "cannot reach Kafka broker at \(bootstrapServers): \(error.reason)",
                rdKafkaError: error.code.rawValue,
                isRetriable: true,
                isFatal: error.code == RD_KAFKA_RESP_ERR__FATAL
            )
        }
    }

    // MARK: Error codes

    /// librdkafka's short name of an error code, such as `_TRANSPORT`.
    static func name(of code: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2name(code))
    }

    /// librdkafka's explanation of an error code.
    static func reason(of code: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(code))
    }

    /// Whether an operation that failed with `code` may succeed when repeated.
    static func isRetriable(_ code: rd_kafka_resp_err_t) -> Bool {
        switch code {
        case RD_KAFKA_RESP_ERR__TRANSPORT,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__QUEUE_FULL,
            RD_KAFKA_RESP_ERR__WAIT_COORD,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
            RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR__PURGE_QUEUE,
            RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
            RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID,
            RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST,
            RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
            RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
            RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH,
            RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
            true
        default:
            false
        }
    }

    /// Whether a produce that failed with `code` failed because of the record itself (its size,
    /// its format, its topic) rather than the connection or the cluster.
    static func concernsRecord(_ code: rd_kafka_resp_err_t) -> Bool {
        switch code {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
            RD_KAFKA_RESP_ERR_INVALID_MSG,
            RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE,
            RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
            RD_KAFKA_RESP_ERR_INVALID_RECORD,
            RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP,
            RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
            RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
            RD_KAFKA_RESP_ERR__BAD_MSG,
            RD_KAFKA_RESP_ERR__INVALID_ARG:
            true
        default:
            false
        }
    }
}

/// A failed librdkafka call: the error code and librdkafka's explanation.
struct RDKafkaCallError: Error, Sendable {
    /// The raw `rd_kafka_resp_err_t` value.
    var rawCode: Int32
    var reason: String

    init(code: rd_kafka_resp_err_t, reason: String? = nil) {
        self.rawCode = code.rawValue
        self.reason = reason ?? RDKafkaClient.reason(of: code)
    }

    var code: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawCode) }
}
