/// Everything a ``KafkaConsumer`` knows about itself, in one value behind one
/// lock: whether it runs, which partitions it reads, which it holds leases on
/// (a lease-sharing member) and what it committed. The poll thread, the lease
/// loop, rebalance callbacks and committing tasks all go through it, so no
/// two of them can disagree about the consumer's state.
struct KafkaConsumerStateMachine: Sendable {
    enum Phase: Sendable, Equatable {
        case idle
        case running
        /// Shutdown was asked for; the poll thread stops at its next turn.
        case stopRequested
        /// The consumer left its group and closed; nothing may be committed.
        case closed
    }

    /// What a commit should do.
    enum CommitAction: Sendable, Equatable {
        /// Commit these next offsets.
        case commit([KafkaTopicPartition: Int64])
        /// Nothing left to commit (every partition's lease is gone).
        case nothing
        /// The consumer has closed.
        case closed
    }

    private(set) var phase = Phase.idle
    /// The partitions read now.
    private(set) var assignment: Set<KafkaTopicPartition> = []
    /// A lease-sharing member's leases (read, or still draining); `nil` in a broker-managed group.
    private(set) var leased: Set<KafkaTopicPartition>?
    /// The next offset committed per partition.
    private(set) var committedNext: [KafkaTopicPartition: Int64] = [:]

    init(sharesByLeases: Bool) {
        leased = sharesByLeases ? [] : nil
    }

    /// Whether the consumer should stop, or has.
    var isStopping: Bool { phase == .stopRequested || phase == .closed }

    /// `idle` → `running`; a consumer runs only once.
    mutating func start() throws(KafkaError) {
        guard phase == .idle else {
            throw KafkaError(code: .shutdown, message: "a Kafka consumer runs only once")
        }
        phase = .running
    }

    mutating func requestStop() {
        if phase == .idle || phase == .running { phase = .stopRequested }
    }

    mutating func close() {
        phase = .closed
    }

    mutating func assigned(_ partitions: some Sequence<KafkaTopicPartition>) {
        assignment.formUnion(partitions)
    }

    mutating func revoked(_ partitions: some Sequence<KafkaTopicPartition>) {
        assignment.subtract(partitions)
    }

    /// The leases held after a lease round (a lease-sharing member only).
    mutating func holdLeases(_ held: Set<KafkaTopicPartition>) {
        guard leased != nil else { return }
        leased = held
    }

    /// What to commit of `nextOffsets`: a lease-sharing member leaves out
    /// partitions whose lease is gone, so a late commit cannot move the new
    /// owner's offset back.
    func commitAction(for nextOffsets: [KafkaTopicPartition: Int64]) -> CommitAction {
        guard phase != .closed else { return .closed }
        let kept = leased.map { held in nextOffsets.filter { held.contains($0.key) } } ?? nextOffsets
        return kept.isEmpty ? .nothing : .commit(kept)
    }

    mutating func committed(_ nextOffsets: [KafkaTopicPartition: Int64]) {
        for (partition, offset) in nextOffsets {
            committedNext[partition] = max(committedNext[partition] ?? .min, offset)
        }
    }
}
