import Foundation
import Logging

/// A lease-sharing member (``KafkaPartitionAssignment/leases(store:memberID:leaseTime:)``):
/// the loop that renews its leases and applies what they say.
extension KafkaConsumer {
    /// How long a partition given up waits for its records handed out to be
    /// committed before its lease is released anyway (the next owner then
    /// reads them again, and recognises them as handled).
    static let drainLimit: Duration = .seconds(5)

    /// Renews the member and its leases several times per lease time until
    /// the consumer stops: reads the partitions the deal gives it once their
    /// leases are its own, and gives up the others once what it handed out of
    /// them is committed. Unable to renew for a whole lease time, it stops
    /// reading everything, since another member may hold those partitions by then.
    func shareByLeases(store: any KafkaPartitionLeaseStore, member: String, leaseTime: Duration) async {
        let group = configuration.groupID
        let leaseMilliseconds = Int(leaseTime.wholeMilliseconds)
        // Often enough that a lease outlives three missed rounds, and a join is noticed within a second.
        let round = min(leaseTime / 4, .seconds(1))
        var partitions: [KafkaTopicPartition] = []
        var partitionsReadAt: ContinuousClock.Instant?
        var draining: [KafkaTopicPartition: ContinuousClock.Instant] = [:]
        var lastSettled = ContinuousClock.now
        var failures = 0
        logger.info("Kafka partitions shared by leases", metadata: [
            "kafka.group": "\(group)", "kafka.member": "\(member)", "kafka.lease_ms": "\(leaseMilliseconds)",
        ])
        while !isStopping {
            do {
                // Partition counts rarely change: read them every 30 s, and each round while none are known.
                if partitions.isEmpty || partitionsReadAt.map({ ContinuousClock.now - $0 > .seconds(30) }) ?? true {
                    partitions = try await topicPartitions()
                    partitionsReadAt = .now
                }
                let members = try await store.renewMember(group: group, member: member, leaseMilliseconds: leaseMilliseconds)
                let share = KafkaPartitionShare.share(of: member, among: members, partitions: partitions)
                let reading = state.withLock { $0.assignment }
                let givingUp = reading.subtracting(share)
                if !givingUp.isEmpty {
                    try await stopReading(givingUp, reason: "another member's share")
                    for partition in givingUp { draining[partition] = .now }
                }
                // Keep the leases of partitions still draining, release the rest.
                draining = draining.filter { partition, since in
                    !share.contains(partition) && !isDrained(partition) && ContinuousClock.now - since < Self.drainLimit
                }
                let wanted = share.union(draining.keys)
                let held = Set(try await store.settle(
                    group: group, member: member, wanted: wanted.map { ($0.topic, $0.partition) }, leaseMilliseconds: leaseMilliseconds
                ).map { KafkaTopicPartition(topic: $0.topic, partition: $0.partition) })
                lastSettled = .now
                failures = 0
                state.withLock { $0.holdLeases(held) }
                let taken = state.withLock { $0.assignment }.subtracting(held)
                if !taken.isEmpty {
                    // Expired while this member could not renew; someone else reads them now.
                    try await stopReading(taken, reason: "lease taken over")
                }
                let starting = held.intersection(share).subtracting(state.withLock { $0.assignment })
                if !starting.isEmpty {
                    try await startReading(starting)
                }
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("cannot renew Kafka partition leases; retrying", metadata: [
                        "kafka.group": "\(group)", "error": "\(error)", "attempts": "\(failures)",
                    ])
                }
                if ContinuousClock.now - lastSettled >= leaseTime {
                    let reading = state.withLock { $0.assignment }
                    if !reading.isEmpty {
                        try? await stopReading(reading, reason: "leases not renewed within the lease time")
                    }
                    state.withLock { $0.holdLeases([]) }
                    draining = [:]
                }
            }
            await sleepUnlessStopping(round)
        }
    }

    /// Gives the leases up at once after the consumer closed; a member that
    /// cannot reach the store leaves them to expire.
    func leave(store: any KafkaPartitionLeaseStore, member: String) async {
        do {
            try await store.leave(group: configuration.groupID, member: member)
        } catch {
            logger.warning("could not give up Kafka partition leases; they expire instead", metadata: [
                "kafka.group": "\(configuration.groupID)", "error": "\(error)",
            ])
        }
    }

    /// Whether everything handed out of `partition` has been committed.
    private func isDrained(_ partition: KafkaTopicPartition) -> Bool {
        guard let last = buffer.lastHandedOut(partition) else { return true }
        return (state.withLock { $0.committedNext[partition] } ?? .min) > last
    }

    private func startReading(_ partitions: Set<KafkaTopicPartition>) async throws {
        // Accept before assigning, so no fetched record is turned away.
        let reading = state.withLock { machine in
            machine.assigned(partitions)
            return machine.assignment
        }
        buffer.accept(only: reading)
        try await client.runBlocking { [client] in try client.incrementalAssign(partitions) }
        logger.info("Kafka partitions leased", metadata: ["kafka.partitions": "\(partitions.map(\.description).sorted())"])
    }

    private func stopReading(_ partitions: Set<KafkaTopicPartition>, reason: String) async throws {
        state.withLock { $0.revoked(partitions) }
        let dropped = buffer.refuse(partitions)
        logger.info("Kafka partitions given up", metadata: [
            "kafka.partitions": "\(partitions.map(\.description).sorted())", "reason": "\(reason)", "kafka.dropped": "\(dropped)",
        ])
        try await client.runBlocking { [client] in try client.incrementalUnassign(partitions) }
    }

    /// The partitions of the configured topics, from the metadata of those topics alone.
    private func topicPartitions() async throws -> [KafkaTopicPartition] {
        let topics = configuration.topics
        let counts = try await client.runBlocking { [client, bootstrapServers = configuration.bootstrapServers] in
            var counts: [String: Int32] = [:]
            for topic in topics {
                switch client.metadata(topic: topic, timeoutMilliseconds: 5_000) {
                case .success(let metadata): counts[topic] = metadata.partitionCounts[topic] ?? 0
                case .failure(let error):
                    throw KafkaError(code: .connection, message: "cannot read metadata from Kafka broker at \(bootstrapServers): \(error.reason)", isRetriable: true)
                }
            }
            return counts
        }
        return topics.flatMap { topic in (0..<(counts[topic] ?? 0)).map { KafkaTopicPartition(topic: topic, partition: $0) } }
    }

    private func sleepUnlessStopping(_ duration: Duration) async {
        let end = ContinuousClock.now + duration
        while !isStopping, ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(50), end - ContinuousClock.now))
        }
    }
}
