internal import CRDKafka

/// Producer calls.
extension RDKafkaClient {
    /// Enqueues one record (non-blocking; librdkafka copies key, value and headers).
    ///
    /// The promise is retained while the record is in flight and resumed by the delivery report.
    /// Returns `.queueFull` without enqueuing when librdkafka's local queue is full; the
    /// promise is then not retained and not resumed.
    func produce(_ message: KafkaProducerMessage, promise: RDKafkaDeliveryPromise) throws -> ProduceResult {
        // A name the cluster would refuse is refused here, at once and for good: librdkafka
        // reports it only as an unknown topic, which may yet be created.
        guard Self.isLegalTopicName(message.topic) else {
            throw KafkaError(
                code: .produce,
                message: "cannot produce to topic \(message.topic.debugDescription): not a legal topic name (1 to 249 of a-z A-Z 0-9 . _ -)",
                concernsRecord: true
            )
        }
        // librdkafka takes header names as C strings: a NUL would cut them short.
        if message.headers.contains(where: { $0.key.utf8.contains(0) }) {
            throw KafkaError(code: .produce, message: "cannot produce to topic '\(message.topic)': a header name contains NUL", concernsRecord: true)
        }
        let headers = makeHeaders(message.headers)
        let opaque = Unmanaged.passRetained(promise).toOpaque()
        let code = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key in
                withOptionalBytes(message.value) { value in
                    crdkafka_produce(
                        handle,
                        topic,
                        crdkafka_partition_unassigned(),
                        key?.baseAddress, key?.count ?? 0,
                        value?.baseAddress, value?.count ?? 0,
                        headers,
                        opaque
                    )
                }
            }
        }
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return .enqueued }

        // Not enqueued: nothing will report on this message, so undo what was handed over.
        Unmanaged<RDKafkaDeliveryPromise>.fromOpaque(opaque).release()
        if let headers { rd_kafka_headers_destroy(headers) }
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        if code == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError() { throw fatal }
        throw KafkaError(
            code: .produce,
            message: "cannot produce to topic '\(message.topic)' (\(Self.name(of: code))): \(Self.reason(of: code))",
            rdKafkaError: code.rawValue,
            isRetriable: Self.isRetriable(code),
            concernsRecord: Self.concernsRecord(code)
        )
    }

    /// Kafka's rule for topic names: 1 to 249 ASCII letters, digits, `.`, `_` and `-`,
    /// and neither `.` nor `..`.
    static func isLegalTopicName(_ name: String) -> Bool {
        guard (1...249).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// Whether ``produce(_:promise:)`` enqueued the record.
    enum ProduceResult {
        case enqueued
        case queueFull
    }

    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            _ = withOptionalBytes(header.value) { value in
                rd_kafka_header_add(list, header.key, -1, value?.baseAddress, value?.count ?? 0)
            }
        }
        return list
    }

    /// Waits up to `timeoutMilliseconds` for all queued records to be delivered, serving their
    /// delivery reports; returns how many are still queued.
    func flush(timeoutMilliseconds: Int32) -> Int {
        _ = rd_kafka_flush(handle, timeoutMilliseconds)
        return Int(rd_kafka_outq_len(handle))
    }

    /// Drops every queued and in-flight record; their delivery reports (with a purge error) are
    /// served by the next poll or flush.
    func purgeQueuedAndInFlight() {
        _ = rd_kafka_purge(handle, crdkafka_purge_queued_and_inflight())
    }
}

/// Hands C a pointer to `bytes`; `nil` stays NULL, while an empty array gets a non-NULL pointer
/// so that librdkafka writes an empty (not a null) value.
private func withOptionalBytes<Result>(
    _ bytes: [UInt8]?,
    _ body: (UnsafeRawBufferPointer?) -> Result
) -> Result {
    guard let bytes else { return body(nil) }
    if bytes.isEmpty {
        return withUnsafeBytes(of: UInt8(0)) { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
    }
    return bytes.withUnsafeBytes { body($0) }
}
