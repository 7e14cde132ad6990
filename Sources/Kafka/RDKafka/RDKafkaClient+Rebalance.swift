internal import CRDKafka
import Logging

/// What a rebalance did to this member's partitions.
enum RDKafkaRebalance: Sendable {
    case assigned([KafkaTopicPartition])
    /// Taken away (or lost when the session lapsed): records of these
    /// partitions that were not yet handed out must not be.
    case revoked([KafkaTopicPartition])
}

extension RDKafkaClient {
    /// Calls `listener` on the poll thread for every assignment and revocation,
    /// before librdkafka applies it (so a revocation is heard before any new
    /// owner can fetch). Set it once, before polling starts.
    func onRebalance(_ listener: @escaping @Sendable (RDKafkaRebalance) -> Void) {
        callbackContext.setRebalanceListener(listener)
    }

    /// The partitions a C list names.
    static func partitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
        guard let list else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }
}

/// Applies a rebalance: tells the listener, then assigns or unassigns, eagerly
/// or incrementally as the group's protocol requires. Runs inside
/// `rd_kafka_consumer_poll`, on the consumer's poll thread.
let rdKafkaRebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { handle, code, list, opaque in
    guard let handle else { return }
    let context = RDKafkaCallbackContext.from(opaque)
    let partitions = RDKafkaClient.partitions(in: list)
    let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
    let names = partitions.map(\.description).joined(separator: ",")
    switch code {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        context?.logger.info("Kafka partitions assigned", metadata: ["kafka.partitions": "\(names)"])
        context?.rebalanced(.assigned(partitions))
        if cooperative {
            if let error = rd_kafka_incremental_assign(handle, list) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(handle, list)
        }
    default:
        // A revocation, or an error that leaves the assignment unknown: either
        // way this member must stop handing out what it holds.
        let lost = rd_kafka_assignment_lost(handle) != 0
        context?.logger.info(lost ? "Kafka partitions lost" : "Kafka partitions revoked", metadata: ["kafka.partitions": "\(names)"])
        context?.rebalanced(.revoked(partitions))
        if cooperative {
            if let error = rd_kafka_incremental_unassign(handle, list) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(handle, nil)
        }
    }
}
