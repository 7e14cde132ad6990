import Foundation
import Kafka
import OutboxRelay
import Postgres
import Testing

@Suite("Outbox relay across broker outages", .timeLimit(.minutes(3)))
struct BrokerOutageTests {
    @Test("broker paused while rows are written: the relay delivers them once it is back")
    func pausedBroker() async throws {
        let broker = try await TestBroker.start()
        try await withRelay(broker: broker) { postgres, topic in
            try await insertRows(postgres, topic: topic, count: 50)
            let condition1 = try await eventually(timeout: .seconds(30)) { try await unpublished(postgres) == 0 }
            #expect(condition1)

            broker.pause()
            try await insertRows(postgres, topic: topic, count: 50)
            // The outage itself: the relay must sit out these seconds.
            try await Task.sleep(for: .seconds(3))
            broker.resume()

            let condition2 = try await eventually(timeout: .seconds(60)) { try await unpublished(postgres) == 0 }
            #expect(condition2)
            #expect(try await setAside(postgres) == 0, "an outage quarantined or counted rows")
            let expected = try await eventIDs(postgres)
            let seen = try await collectEventIDs(topic: topic, expecting: expected, bootstrapServers: broker.bootstrapServers, timeout: .seconds(30))
            #expect(expected.subtracting(seen.keys).isEmpty)
        }
    }

    @Test("broker killed and started again: the relay recovers by itself")
    func restartedBroker() async throws {
        let broker = try await TestBroker.start()
        try await withRelay(broker: broker) { postgres, topic in
            try await insertRows(postgres, topic: topic, count: 20)
            let condition3 = try await eventually(timeout: .seconds(30)) { try await unpublished(postgres) == 0 }
            #expect(condition3)

            await broker.kill()
            try await insertRows(postgres, topic: topic, count: 30)
            try await broker.restart()

            let condition4 = try await eventually(timeout: .seconds(90)) { try await unpublished(postgres) == 0 }
            #expect(condition4)
            #expect(try await setAside(postgres) == 0, "an outage quarantined or counted rows")
            // The memory broker lost everything before the restart; what was
            // written during the outage must be on the new one.
            let expected = try await eventIDs(postgres, where: "(payload ->> 'n')::int > 20")
            let seen = try await collectEventIDs(topic: topic, expecting: expected, bootstrapServers: broker.bootstrapServers, timeout: .seconds(30))
            #expect(expected.subtracting(seen.keys).isEmpty)
        }
    }

    private func withRelay(
        broker: TestBroker, _ body: @Sendable (PostgresClient, String) async throws -> Void
    ) async throws {
        // A short message timeout, so the restarted broker's unknown producer id is noticed soon.
        try await withTestRelay(
            topicPrefix: "test-outage-", bootstrapServers: broker.bootstrapServers,
            configureProducer: { $0.messageTimeout = .seconds(10) }, body
        )
    }
}

private func insertRows(_ postgres: PostgresClient, topic: String, count: Int) async throws {
    try await postgres.query(
        """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload)
        SELECT gen_random_uuid(), $1, n::text, jsonb_build_object('n', n + coalesce((SELECT max((payload ->> 'n')::int) FROM reminder_outbox), 0))
          FROM generate_series(1, $2) AS n
        """,
        [topic, count]
    )
}

private func unpublished(_ postgres: PostgresClient) async throws -> Int {
    try await count(postgres, "reminder_outbox", where: "published_at IS NULL")
}

/// Rows quarantined or with a failed attempt counted: an outage must leave none.
private func setAside(_ postgres: PostgresClient) async throws -> Int {
    try await count(postgres, "reminder_outbox", where: "quarantined_at IS NOT NULL OR publish_attempts > 0")
}

private func eventIDs(_ postgres: PostgresClient, where condition: String = "TRUE") async throws -> Set<String> {
    Set(try await postgres.query("SELECT event_id::text AS id FROM reminder_outbox WHERE \(condition)").compactMap { $0["id"] })
}
