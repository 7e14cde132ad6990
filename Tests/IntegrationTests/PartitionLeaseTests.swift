import Foundation
import Kafka
import Postgres
import ReminderStore
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Partitions shared by leases", .serialized, .timeLimit(.minutes(3)))
struct PartitionLeaseTests {
    @Test("the store grants a lease that is free, expired or the member's own, never one held in time by another")
    func leaseRules() async throws {
        try await TestDatabase.with { _, postgres in
            let leases = PostgresPartitionLeases(postgres: postgres)
            let group = "g-" + TestEnvironment.uniqueSuffix()
            func settle(_ member: String, _ partitions: [Int32], lease: Int = 60_000) async throws -> [Int32] {
                try await leases.settle(group: group, member: member, wanted: partitions.map { ("t", $0) }, leaseMilliseconds: lease)
                    .map(\.partition).sorted()
            }
            #expect(try await settle("a", [0, 1]) == [0, 1])
            #expect(try await settle("b", [1, 2]) == [2], "partition 1 is a's in time")
            #expect(try await settle("a", [0]) == [0], "a gives 1 up by not wanting it")
            #expect(try await settle("b", [1, 2]) == [1, 2])
            #expect(try await settle("c", [3], lease: 1000) == [3])
            #expect(try await settle("b", [1, 2, 3]) == [1, 2], "c's lease on 3 has not expired yet")
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await settle("b", [1, 2, 3]) == [1, 2, 3], "c's lease expired")
            #expect(try await settle("c", [3], lease: 1000) == [], "c lost it")

            #expect(try await leases.renewMember(group: group, member: "a", leaseMilliseconds: 60_000) == ["a"])
            #expect(try await leases.renewMember(group: group, member: "b", leaseMilliseconds: 1000) == ["a", "b"])
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await leases.renewMember(group: group, member: "c", leaseMilliseconds: 60_000) == ["a", "c"], "b expired")
            try await leases.leave(group: group, member: "b")
            #expect(try await leases.leases(group: group).map(\.member) == ["a"], "b's leases left with it")
        }
    }

    @Test("two members read disjoint halves and every record; one leaving hands its half over without waiting for expiry")
    func shareAndLeave() async throws {
        try await TestDatabase.with { _, postgres in
            let topic = "leases-" + TestEnvironment.uniqueSuffix()
            let group = "group-" + TestEnvironment.uniqueSuffix()
            try await createTopic(topic, partitions: 4)
            let store = PostgresPartitionLeases(postgres: postgres)
            // Leases far longer than the test: only leaving can free the first member's half.
            let first = try leaseConsumer(topic: topic, group: group, member: "first", store: store, leaseTime: .seconds(120))
            let second = try leaseConsumer(topic: topic, group: group, member: "second", store: store, leaseTime: .seconds(120))
            let firstGroup = ServiceGroup(services: [first.consumer], logger: TestEnvironment.logger("test.first"))
            let secondGroup = ServiceGroup(services: [second.consumer], logger: TestEnvironment.logger("test.second"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await firstGroup.run() }
                tasks.addTask { try await secondGroup.run() }
                tasks.addTask { try await first.readAndCommit() }
                tasks.addTask { try await second.readAndCommit() }
                defer { tasks.cancelAll() }
                try await waitFor("both members to read two partitions") {
                    first.consumer.assignedPartitions.count == 2 && second.consumer.assignedPartitions.count == 2
                }
                #expect(first.consumer.assignedPartitions.isDisjoint(with: second.consumer.assignedPartitions))

                try await produceNumbered(0..<200, topic: topic)
                try await waitFor("every record to be read") { first.seen.union(second.seen).count == 200 }
                #expect(first.seen.isDisjoint(with: second.seen), "a record was read by both members")

                await firstGroup.triggerGracefulShutdown()
                try await waitFor("the first member's leases to go") {
                    try await store.leases(group: group).allSatisfy { $0.member == "second" }
                }
                try await waitFor("the second member to read all four partitions") { second.consumer.assignedPartitions.count == 4 }
                try await produceNumbered(200..<300, topic: topic)
                try await waitFor("the later records to be read by the second member") {
                    second.seen.isSuperset(of: Set(200..<300))
                }
                await secondGroup.triggerGracefulShutdown()
            }
        }
    }

    @Test("a member cut off from the store stops reading, and its partitions move on when its leases expire")
    func cutOffMemberIsReplaced() async throws {
        try await TestDatabase.with { _, postgres in
            let topic = "leases-" + TestEnvironment.uniqueSuffix()
            let group = "group-" + TestEnvironment.uniqueSuffix()
            try await createTopic(topic, partitions: 4)
            let store = PostgresPartitionLeases(postgres: postgres)
            let severable = SeverableLeaseStore(base: store)
            let first = try leaseConsumer(topic: topic, group: group, member: "first", store: severable)
            let second = try leaseConsumer(topic: topic, group: group, member: "second", store: store)
            let services = ServiceGroup(services: [first.consumer, second.consumer], logger: TestEnvironment.logger("test.members"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                tasks.addTask { try await first.readAndCommit() }
                tasks.addTask { try await second.readAndCommit() }
                defer { tasks.cancelAll() }
                try await waitFor("both members to read two partitions") {
                    first.consumer.assignedPartitions.count == 2 && second.consumer.assignedPartitions.count == 2
                }
                severable.sever()
                try await waitFor("the cut-off member to stop reading") { first.consumer.assignedPartitions.isEmpty }
                try await waitFor("the other member to take over all four") { second.consumer.assignedPartitions.count == 4 }
                #expect(try await store.leases(group: group).allSatisfy { $0.member == "second" && $0.isLive })
                try await produceNumbered(0..<100, topic: topic)
                try await waitFor("every record to be read by the remaining member") { second.seen.count == 100 }
                #expect(first.seen.isEmpty, "the cut-off member read \(first.seen.count) records")
                await services.triggerGracefulShutdown()
            }
        }
    }
}

extension PartitionLeaseTests {
    @Test("a lease-sharing member keeps its partitions through a broker pause and reads on after a broker restart")
    func brokerPauseAndRestart() async throws {
        try await TestDatabase.with { _, postgres in
            let broker = try await TestBroker.start()
            let topic = "leases-" + TestEnvironment.uniqueSuffix()
            let group = "group-" + TestEnvironment.uniqueSuffix()
            try await createTopic(topic, partitions: 2, bootstrapServers: broker.bootstrapServers)
            let member = try leaseConsumer(
                topic: topic, group: group, member: "only", store: PostgresPartitionLeases(postgres: postgres),
                bootstrapServers: broker.bootstrapServers
            )
            let services = ServiceGroup(services: [member.consumer], logger: TestEnvironment.logger("test.member"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                tasks.addTask { try await member.readAndCommit() }
                defer { tasks.cancelAll() }
                try await waitFor("the member to read both partitions") { member.consumer.assignedPartitions.count == 2 }
                try await produceNumbered(0..<20, topic: topic, bootstrapServers: broker.bootstrapServers)
                try await waitFor("the first records") { member.seen.count == 20 }

                // A pause: the leases live in PostgreSQL, so nothing is given up or rejoined.
                broker.pause()
                try await Task.sleep(for: .seconds(3))
                #expect(member.consumer.assignedPartitions.count == 2, "a broker pause cost the member its partitions")
                broker.resume()
                try await produceNumbered(20..<40, topic: topic, bootstrapServers: broker.bootstrapServers)
                try await waitFor("the records after the pause") { member.seen.isSuperset(of: Set(20..<40)) }

                // A restart: this broker keeps nothing, so the topic is made again, from offset 0,
                // while the member goes on fetching from its position (about 20 per partition):
                // of 160 new records it reads those beyond that position.
                await broker.kill()
                try await broker.restart()
                try await createTopic(topic, partitions: 2, bootstrapServers: broker.bootstrapServers)
                try await produceNumbered(40..<200, topic: topic, bootstrapServers: broker.bootstrapServers)
                try await waitFor("records after the restart") { member.seen.filter { $0 >= 40 }.count >= 60 }
                #expect(member.consumer.assignedPartitions.count == 2)
                await services.triggerGracefulShutdown()
            }
        }
    }
}

/// A consumer of a lease-sharing group and the record numbers it read and committed.
private final class LeaseMember: Sendable {
    let consumer: KafkaConsumer
    let read = Mutex(Set<Int>())

    init(consumer: KafkaConsumer) { self.consumer = consumer }

    var seen: Set<Int> { read.withLock { $0 } }

    /// Reads until the consumer stops, committing each record after noting it.
    func readAndCommit() async throws {
        for try await message in consumer.messages {
            if let number = Int(String(decoding: message.value, as: UTF8.self)) { _ = read.withLock { $0.insert(number) } }
            try await consumer.commit(message)
        }
    }
}

private func leaseConsumer(
    topic: String, group: String, member: String, store: any KafkaPartitionLeaseStore, leaseTime: Duration = .seconds(2),
    bootstrapServers: String = TestEnvironment.kafkaBootstrapServers
) throws -> LeaseMember {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: group, topics: [topic])
    configuration.autoOffsetReset = .earliest
    configuration.partitionAssignment = .leases(store: store, memberID: member, leaseTime: leaseTime)
    return LeaseMember(consumer: try KafkaConsumer.makeConsumer(configuration: configuration, logger: TestEnvironment.logger("test.\(member)")))
}

/// The lease store, until `sever()`: then every call fails, as for a member cut off from the database.
private final class SeverableLeaseStore: KafkaPartitionLeaseStore {
    let base: PostgresPartitionLeases
    let severed = Atomic(false)

    init(base: PostgresPartitionLeases) { self.base = base }

    func sever() { severed.store(true, ordering: .sequentiallyConsistent) }

    private func check() throws {
        if severed.load(ordering: .sequentiallyConsistent) { throw CutOff() }
    }

    struct CutOff: Error {}

    func renewMember(group: String, member: String, leaseMilliseconds: Int) async throws -> [String] {
        try check()
        return try await base.renewMember(group: group, member: member, leaseMilliseconds: leaseMilliseconds)
    }

    func settle(
        group: String, member: String, wanted: [(topic: String, partition: Int32)], leaseMilliseconds: Int
    ) async throws -> [(topic: String, partition: Int32)] {
        try check()
        return try await base.settle(group: group, member: member, wanted: wanted, leaseMilliseconds: leaseMilliseconds)
    }

    func leave(group: String, member: String) async throws {
        try check()
        try await base.leave(group: group, member: member)
    }
}

/// Produces the numbers of `range` as the records' values, keyed by number so they spread over the partitions.
private func produceNumbered(
    _ range: Range<Int>, topic: String, bootstrapServers: String = TestEnvironment.kafkaBootstrapServers
) async throws {
    let producer = try KafkaProducer.makeProducer(
        configuration: KafkaProducerConfiguration(bootstrapServers: bootstrapServers),
        logger: TestEnvironment.logger("test.producer")
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await producer.run() }
        defer { group.cancelAll() }
        let messages = range.map { KafkaProducerMessage(topic: topic, key: "k\($0)", value: "\($0)") }
        for result in await producer.send(contentsOf: messages) { _ = try result.get() }
    }
}

/// Waits, bounded, until `condition` holds.
private func waitFor(_ what: String, within timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async throws {
    let held = try await eventually(timeout: timeout, every: .milliseconds(50), condition)
    if !held { throw LeaseTestTimeout(description: "timed out waiting for \(what)") }
}

private struct LeaseTestTimeout: Error, CustomStringConvertible {
    let description: String
}
