import OutboxRelay
import Postgres
import Testing

/// How often the relay reads the outbox: once per wake-up, not once more for
/// every round it has in flight.
@Suite("Outbox relay reads", .timeLimit(.minutes(3)))
struct RelayReadTests {
    @Test("rows committed one at a time cost one read each: no empty read after a round is sent or marked")
    func oneReadPerCommittedRow() async throws {
        let rowCount = 12
        try await withTestRelay(
            topicPrefix: "test-relay-reads-", bootstrapServers: TestEnvironment.kafkaBootstrapServers,
            // No poll while the test runs: every read here follows a NOTIFY.
            configureRelay: { $0.pollInterval = .seconds(600) }
        ) { postgres, topic, relay in
            let started = await eventually(timeout: .seconds(30)) { relay.outboxReadCount >= 1 }
            #expect(started, "the relay never read the outbox")
            let before = relay.outboxReadCount
            for _ in 0..<rowCount {
                let row = try await writeOutboxRow(postgres, topic: topic)
                let published = try await eventually(timeout: .seconds(20)) { try await outboxRow(postgres, id: row.id).published }
                try #require(published, "row \(row.id) was not published")
            }
            let reads = relay.outboxReadCount - before
            // One read per row; one more if the listener's start-up marker came late.
            #expect(reads >= rowCount && reads <= rowCount + 1, "\(reads) reads for \(rowCount) rows")
        }
    }
}
