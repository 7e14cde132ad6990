@testable import Kafka
import Testing

@Suite("Kafka consumer state machine")
struct KafkaConsumerStateMachineTests {
    let a0 = KafkaTopicPartition(topic: "a", partition: 0)
    let a1 = KafkaTopicPartition(topic: "a", partition: 1)

    @Test("idle, running, stop requested, closed; it runs only once, and a stop before the start holds")
    func phases() throws {
        var machine = KafkaConsumerStateMachine(sharesByLeases: false)
        #expect(!machine.isStopping)
        try machine.start()
        #expect(machine.phase == .running)
        #expect(throws: KafkaError.self) { try machine.start() }
        machine.requestStop()
        #expect(machine.phase == .stopRequested && machine.isStopping)
        machine.close()
        machine.requestStop()
        #expect(machine.phase == .closed && machine.isStopping)

        var early = KafkaConsumerStateMachine(sharesByLeases: false)
        early.requestStop()
        #expect(early.isStopping)
        #expect(throws: KafkaError.self) { try early.start() }
    }

    @Test("a broker-managed member commits what it is given; a closed one refuses")
    func groupCommits() throws {
        var machine = KafkaConsumerStateMachine(sharesByLeases: false)
        try machine.start()
        #expect(machine.commitAction(for: [a0: 5]) == .commit([a0: 5]), "not assigned any more: the broker decides")
        machine.close()
        #expect(machine.commitAction(for: [a0: 5]) == .closed)
    }

    @Test("a lease-sharing member commits only partitions it still holds a lease on")
    func leaseCommits() throws {
        var machine = KafkaConsumerStateMachine(sharesByLeases: true)
        try machine.start()
        #expect(machine.commitAction(for: [a0: 5]) == .nothing, "no lease yet")
        machine.holdLeases([a0, a1])
        #expect(machine.commitAction(for: [a0: 5, a1: 7]) == .commit([a0: 5, a1: 7]))
        machine.holdLeases([a1])
        #expect(machine.commitAction(for: [a0: 5, a1: 7]) == .commit([a1: 7]))
        machine.holdLeases([])
        #expect(machine.commitAction(for: [a0: 5, a1: 7]) == .nothing)
    }

    @Test("assignment follows assignments and revocations; committed offsets only grow")
    func assignmentAndCommitted() {
        var machine = KafkaConsumerStateMachine(sharesByLeases: true)
        machine.assigned([a0, a1])
        machine.revoked([a0])
        #expect(machine.assignment == [a1])
        machine.committed([a1: 10])
        machine.committed([a1: 4])
        #expect(machine.committedNext[a1] == 10)
        var group = KafkaConsumerStateMachine(sharesByLeases: false)
        group.holdLeases([a0])
        #expect(group.leased == nil, "a broker-managed member holds no leases")
    }
}
