import OutboxRelay
import Postgres
import Testing

/// How often the relay reads the outbox (once per wake-up, not once more for
/// every round it has in flight), and when it counts it for the backlog gauge.
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
            try await publishOneAtATime(rowCount, postgres: postgres, topic: topic)
            let reads = relay.outboxReadCount - before
            // One read per row; one more if the listener's start-up marker came late.
            #expect(reads >= rowCount && reads <= rowCount + 1, "\(reads) reads for \(rowCount) rows")
        }
    }

    @Test("a read that sees every due row gives the backlog gauge its value: the outbox is never counted")
    func shortReadsReportTheBacklog() async throws {
        try await withTestRelay(
            topicPrefix: "test-relay-backlog-short-", bootstrapServers: TestEnvironment.kafkaBootstrapServers
        ) { postgres, topic, relay in
            try await publishOneAtATime(5, postgres: postgres, topic: topic)
            await expectBacklogDrained(relay)
            #expect(relay.backlogQueryCount == 0, "the relay counted the outbox \(relay.backlogQueryCount) times")
        }
    }

    @Test("a full read leaves the backlog unknown, so the relay counts the outbox, at most once per interval")
    func fullReadsCountTheOutbox() async throws {
        try await withTestRelay(
            topicPrefix: "test-relay-backlog-full-", bootstrapServers: TestEnvironment.kafkaBootstrapServers,
            configureRelay: {
                $0.batchSize = 2
                $0.backlogInterval = .seconds(600)
            }
        ) { postgres, topic, relay in
            // Seven rows in one commit: reads of 2, 2, 2 and 1.
            let rows = try await writeOutboxRows(postgres, topic: topic, count: 7)
            let published = try await eventually(timeout: .seconds(30)) { try await unsettledRows(postgres) == 0 }
            try #require(published, "\(rows.count) rows were not all published")
            await expectBacklogDrained(relay)
            // Three full reads, one count: the interval holds back the others.
            #expect(relay.backlogQueryCount == 1, "the relay counted the outbox \(relay.backlogQueryCount) times")
        }
    }

    @Test("with a round interval, the first row goes at once and rows committed within the interval share one read")
    func rowsWithinTheIntervalShareARound() async throws {
        try await withTestRelay(
            topicPrefix: "test-relay-interval-", bootstrapServers: TestEnvironment.kafkaBootstrapServers,
            configureRelay: {
                $0.pollInterval = .seconds(600)
                $0.minimumRoundInterval = .seconds(5)
            }
        ) { postgres, topic, relay in
            let started = await eventually(timeout: .seconds(30)) { relay.outboxReadCount >= 1 }
            #expect(started, "the relay never read the outbox")
            // The start-up read found nothing, so the first row is not held back.
            let first = try await writeOutboxRow(postgres, topic: topic)
            let firstPublished = try await eventually(timeout: .seconds(20)) { try await outboxRow(postgres, id: first.id).published }
            try #require(firstPublished, "the first row was not published")
            let before = relay.outboxReadCount
            var written: [WrittenRow] = []
            for _ in 0..<3 { written.append(try await writeOutboxRow(postgres, topic: topic)) }
            let later = written
            let laterPublished = try await eventually(timeout: .seconds(30)) {
                for row in later where try await !outboxRow(postgres, id: row.id).published { return false }
                return true
            }
            try #require(laterPublished, "the rows committed within the interval were not published")
            let reads = relay.outboxReadCount - before
            #expect(reads == 1, "\(reads) reads for three rows committed within the interval")
        }
    }
}

/// Commits `count` rows one at a time, each after the one before was published.
private func publishOneAtATime(_ count: Int, postgres: PostgresClient, topic: String) async throws {
    for _ in 0..<count {
        let row = try await writeOutboxRow(postgres, topic: topic)
        let published = try await eventually(timeout: .seconds(20)) { try await outboxRow(postgres, id: row.id).published }
        try #require(published, "row \(row.id) was not published")
    }
}

/// The relay's poll after its last round reads the outbox empty, so it reports no backlog.
private func expectBacklogDrained(_ relay: OutboxRelay) async {
    let drained = await eventually(timeout: .seconds(10)) { relay.reportedBacklog == 0 }
    #expect(drained, "the relay still reports a backlog of \(relay.reportedBacklog)")
}
