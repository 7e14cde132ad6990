import Foundation
import Postgres
import ReminderDomain
import ReminderStore
import Testing

/// The outbox's quarantine in the store: attempts counted per row, the
/// quarantined left out of the relay's read (which stays on its index), and
/// requeueing.
@Suite("Outbox quarantine in the store", .timeLimit(.minutes(2)))
struct OutboxQuarantineStoreTests {
    @Test("failures that may pass hold the row back and count; the fifth quarantines it; a final one quarantines at once")
    func attemptsAndQuarantine() async throws {
        try await withOutbox { postgres, outbox in
            let flaky = try await writeOutboxRow(postgres, topic: "t")
            let refused = try await writeOutboxRow(postgres, topic: "t")
            let published = try await writeOutboxRow(postgres, topic: "t")
            try await outbox.markPublished(ids: [published.id])

            let first = try await outbox.recordFailures(
                [OutboxFailure(id: flaky.id, reason: "unknown topic", isFinal: false),
                 OutboxFailure(id: refused.id, reason: "too large\u{0}\n", isFinal: true),
                 OutboxFailure(id: published.id, reason: "late", isFinal: true)],
                quarantineAfter: 5, retryDelay: .seconds(60)
            )
            #expect(first.sorted { $0.id < $1.id } == [
                OutboxAttempt(id: flaky.id, topic: "t", attempts: 1, isQuarantined: false),
                OutboxAttempt(id: refused.id, topic: "t", attempts: 1, isQuarantined: true),
            ])
            #expect(try await outboxRow(postgres, id: refused.id).error == "too large\u{FFFD} ", "the reason is stored sanitised")
            #expect(try await outboxRow(postgres, id: published.id).attempts == 0, "a published row was touched")
            let held = try await postgres.query("SELECT available_at > now() + interval '30 seconds' AS held FROM reminder_outbox WHERE id = $1", [flaky.id])
            #expect(try held[0].decode("held", as: Bool.self), "a failed row is held back before its next attempt")

            var last: [OutboxAttempt] = []
            for _ in 2...5 {
                last = try await outbox.recordFailures(
                    [OutboxFailure(id: flaky.id, reason: "unknown topic", isFinal: false)], quarantineAfter: 5, retryDelay: .milliseconds(1)
                )
            }
            #expect(last == [OutboxAttempt(id: flaky.id, topic: "t", attempts: 5, isQuarantined: true)])
            let again = try await outbox.recordFailures(
                [OutboxFailure(id: flaky.id, reason: "again", isFinal: true)], quarantineAfter: 5, retryDelay: .milliseconds(1)
            )
            #expect(again.isEmpty, "a quarantined row counted again")

            let listed = try await OutboxQuarantine(postgres: postgres).list()
            #expect(listed.map(\.id) == [flaky.id, refused.id])
            #expect(listed.map(\.attempts) == [5, 1])
            #expect(listed.first?.error == "unknown topic")
        }
    }

    @Test("the relay's read leaves out quarantined rows until they are requeued, and counts none of them as backlog")
    func readLeavesOutQuarantined() async throws {
        try await withOutbox { postgres, outbox in
            let rows = try await writeOutboxRows(postgres, topic: "t", count: 3)
            _ = try await outbox.recordFailures(
                [OutboxFailure(id: rows[1].id, reason: "refused", isFinal: true)], quarantineAfter: 5, retryDelay: .seconds(1)
            )
            #expect(try await outbox.fetchUnpublished(limit: 10, excluding: []).messages.map(\.id) == [rows[0].id, rows[2].id])
            #expect(try await outbox.backlog() == 2)

            let quarantine = OutboxQuarantine(postgres: postgres)
            #expect(try await quarantine.requeueAll() == [rows[1].id])
            #expect(try await outbox.fetchUnpublished(limit: 10, excluding: []).messages.map(\.id) == rows.map(\.id))
            #expect(try await outboxRow(postgres, id: rows[1].id).attempts == 0, "requeue gives the row its attempts back")
            #expect(try await quarantine.requeueAll().isEmpty)
        }
    }

    @Test("rows decode one by one: headers that are not a flat object of strings make that row unreadable, not the read")
    func unreadableRows() async throws {
        try await withOutbox { postgres, outbox in
            let good = try await writeOutboxRow(postgres, topic: "t", headers: #"{"delivery_id": "d-1"}"#)
            var bad: [Int64] = []
            for headers in [#"{"n": 1}"#, #"["a"]"#, #""text""#, #"{"a": null}"#, #"{"a": {"b": "c"}}"#] {
                bad.append(try await writeOutboxRow(postgres, topic: "t", headers: headers).id)
            }
            let batch = try await outbox.fetchUnpublished(limit: 10, excluding: [])
            #expect(batch.messages.map(\.id) == [good.id])
            #expect(batch.messages.first?.headers == ["delivery_id": "d-1"])
            #expect(batch.unreadable.map(\.id) == bad)
            #expect(batch.unreadable.allSatisfy { $0.isFinal && $0.reason.contains("headers") })
        }
    }

    @Test("the relay's read walks the due index past published, quarantined and held rows")
    func readStaysOnIndex() async throws {
        try await withOutbox { postgres, outbox, connection in
            // Published history, quarantined rows and rows held for quiet hours, as in a system that has run a while.
            try await postgres.query(
                """
                INSERT INTO reminder_outbox (event_id, topic, payload, published_at)
                SELECT gen_random_uuid(), 't', '{}', now() FROM generate_series(1, 20000)
                """
            )
            try await postgres.query(
                """
                INSERT INTO reminder_outbox (event_id, topic, payload, quarantined_at, last_error)
                SELECT gen_random_uuid(), 't', '{}', now(), 'refused' FROM generate_series(1, 2000)
                """
            )
            try await postgres.query(
                """
                INSERT INTO reminder_outbox (event_id, topic, payload, available_at)
                SELECT gen_random_uuid(), 't', '{}', now() + interval '1 day' FROM generate_series(1, 2000)
                """
            )
            let due = try await writeOutboxRows(postgres, topic: "t", count: 5)
            try await postgres.query("ANALYZE reminder_outbox")
            let before = try await dueIndexScans(postgres)
            try await PostgresOutboxRepository.prepareSession(connection)
            try await connection.simpleQuery("BEGIN")
            let batch = try await outbox.fetchUnpublished(limit: 1000, excluding: [])
            let counters = try await connection.query(
                "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'reminder_outbox'"
            )
            try await connection.simpleQuery("COMMIT")
            #expect(batch.messages.map(\.id) == due.map(\.id))
            #expect(try counters[0].decode("seq_scan", as: Int.self) == 0, "the read scanned the outbox")
            #expect(try counters[0].decode("idx_scan", as: Int.self) == 1)
            // Which index: statistics reach the shared view once the session is idle.
            let onDueIndex = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await dueIndexScans(postgres) == before + 1
            }
            #expect(onDueIndex, "the read did not use reminder_outbox_due_idx")
        }
    }

    private func dueIndexScans(_ postgres: PostgresClient) async throws -> Int {
        let rows = try await postgres.query(
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'reminder_outbox_due_idx'"
        )
        return try rows[0].decode("idx_scan")
    }

    private func withOutbox(_ body: @Sendable (PostgresClient, PostgresOutboxRepository) async throws -> Void) async throws {
        try await withOutbox { postgres, outbox, _ in try await body(postgres, outbox) }
    }

    private func withOutbox(
        _ body: @Sendable (PostgresClient, PostgresOutboxRepository, PostgresConnection) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database, postgres in
            let connection = try await PostgresConnection.connect(configuration: database.configuration, logger: TestEnvironment.logger("test.outbox"))
            defer { connection.close() }
            try await body(postgres, PostgresOutboxRepository(connection: connection), connection)
        }
    }
}
