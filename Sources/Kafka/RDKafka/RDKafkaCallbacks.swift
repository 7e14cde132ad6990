internal import CRDKafka
import Logging
import Synchronization

/// State librdkafka's C callbacks reach through the client's opaque pointer
/// (C function pointers cannot capture context).
final class RDKafkaCallbackContext: Sendable {
    let logger: Logger
    /// Broker-down errors repeat many times a second; at most one line per kind every 10 s.
    let throttle = LogThrottle(interval: .seconds(10))
    private let rebalanceListener = Mutex<(@Sendable (RDKafkaRebalance) -> Void)?>(nil)

    init(logger: Logger) {
        self.logger = logger
    }

    func setRebalanceListener(_ listener: @escaping @Sendable (RDKafkaRebalance) -> Void) {
        rebalanceListener.withLock { $0 = listener }
    }

    func rebalanced(_ change: RDKafkaRebalance) {
        rebalanceListener.withLock { $0 }?(change)
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbackContext? {
        opaque.map { Unmanaged<RDKafkaCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// What an awaiting `send` learns from one produce attempt.
enum RDKafkaProduceAttempt: Sendable {
    /// The broker acknowledged the record.
    case delivered(KafkaDeliveryReport)
    /// librdkafka's local queue was full; the record was not enqueued and may be retried.
    case queueFull
}

/// Carries what waits for one message's outcome (an awaiting `send`'s continuation, or a
/// batch's collector) through librdkafka as the per-message opaque, retained once while the
/// message is in flight and released by the delivery report.
final class RDKafkaDeliveryPromise: Sendable {
    private let completion: @Sendable (Result<RDKafkaProduceAttempt, any Error>) -> Void

    init(_ continuation: CheckedContinuation<RDKafkaProduceAttempt, any Error>) {
        completion = { continuation.resume(with: $0) }
    }

    init(completion: @escaping @Sendable (Result<RDKafkaProduceAttempt, any Error>) -> Void) {
        self.completion = completion
    }

    func resume(returning attempt: RDKafkaProduceAttempt) { completion(.success(attempt)) }
    func resume(throwing error: any Error) { completion(.failure(error)) }
}

/// Routes librdkafka's own log lines (from its internal threads) to swift-log.
let rdKafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, line in
    guard let handle, let context = RDKafkaCallbackContext.from(rd_kafka_opaque(handle)) else { return }
    let facilityName = facility.map { String(cString: $0) } ?? ""
    var logLevel: Logger.Level =
        switch level {
        case ...3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    var metadata: Logger.Metadata = ["kafka.facility": "\(facilityName)"]
    if facilityName == "FAIL" {
        // A broker connection failed: librdkafka reconnects by itself, so it is a warning,
        // and it repeats as long as the broker is away.
        logLevel = .warning
        let (admitted, suppressed) = context.throttle.admit("log.FAIL")
        guard admitted else { return }
        if suppressed > 0 { metadata["kafka.suppressed"] = "\(suppressed)" }
    }
    context.logger.log(level: logLevel, "\(line.map { String(cString: $0) } ?? "")", metadata: metadata)
}

/// Logs client-level errors (served by polling). Fatal errors are only logged here: callers
/// read them with `RDKafkaClient.fatalError()` when they next act.
let rdKafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    handle, rawCode, reason, opaque in
    guard let context = RDKafkaCallbackContext.from(opaque) else { return }
    let code = rd_kafka_resp_err_t(rawValue: rawCode)
    let reasonText = reason.map { String(cString: $0) } ?? RDKafkaClient.reason(of: code)
    if code == RD_KAFKA_RESP_ERR__FATAL {
        var fatalReason = [CChar](repeating: 0, count: 512)
        let fatalCode = handle.map { rd_kafka_fatal_error($0, &fatalReason, fatalReason.count) } ?? code
        context.logger.error(
            "fatal Kafka client error; the client must be rebuilt",
            metadata: [
                "kafka.error": "\(RDKafkaClient.name(of: fatalCode))",
                "kafka.reason": "\(String(errorBuffer: fatalReason))",
            ]
        )
    } else {
        let errorName = RDKafkaClient.name(of: code)
        let (admitted, suppressed) = context.throttle.admit("error.\(errorName)")
        guard admitted else { return }
        var metadata: Logger.Metadata = ["kafka.error": "\(errorName)", "kafka.reason": "\(reasonText)"]
        if suppressed > 0 { metadata["kafka.suppressed"] = "\(suppressed)" }
        context.logger.warning("Kafka client error", metadata: metadata)
    }
}

/// Resumes the `send` awaiting this message with its delivery report or error.
/// Runs on whichever thread calls `rd_kafka_poll` / `rd_kafka_flush`.
let rdKafkaDeliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    handle, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let promise = Unmanaged<RDKafkaDeliveryPromise>.fromOpaque(opaque).takeRetainedValue()
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    let code = message.pointee.err
    guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
        let isFatal = code == RD_KAFKA_RESP_ERR__FATAL
            || (handle.map { rd_kafka_fatal_error($0, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR } ?? false)
        let isTimeout = code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || code == RD_KAFKA_RESP_ERR__TIMED_OUT
        let isShutdown = code == RD_KAFKA_RESP_ERR__PURGE_QUEUE || code == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT
        let errorCode: KafkaError.Code = isFatal ? .fatal : isTimeout ? .timeout : isShutdown ? .shutdown : .produce
        promise.resume(
            throwing: KafkaError(
                code: errorCode,
                message: "delivery to topic '\(topic)' failed (\(RDKafkaClient.name(of: code))): \(RDKafkaClient.reason(of: code))",
                rdKafkaError: code.rawValue,
                isRetriable: !isFatal && RDKafkaClient.isRetriable(code),
                isFatal: isFatal,
                concernsRecord: !isFatal && RDKafkaClient.concernsRecord(code)
            )
        )
        return
    }
    promise.resume(
        returning: .delivered(
            KafkaDeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)
        )
    )
}
