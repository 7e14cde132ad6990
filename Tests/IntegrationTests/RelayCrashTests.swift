import Foundation
import Kafka
import Postgres
import Testing

@Suite("Outbox relay under failure", .timeLimit(.minutes(3)))
struct RelayCrashTests {
    @Test("SIGKILL mid-stream of 10,000 rows: every row reaches Kafka, each is marked published exactly once")
    func killAndRestart() async throws {
        try await TestDatabase.with { database, postgres in
            let topic = "test-relay-kill-" + TestEnvironment.uniqueSuffix()
            try await createTopic(topic)
            try await recordMarks(postgres)
            let rows = 10_000
            try await postgres.query(
                """
                INSERT INTO reminder_outbox (event_id, topic, message_key, payload)
                SELECT id, $1, (n % 97)::text, jsonb_build_object('event_id', id, 'n', n)
                  FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $2) AS n) AS source
                """,
                [topic, rows]
            )
            let environment = ["DATABASE_URL": database.url, "RELAY_BATCH_SIZE": "250", "LOG_LEVEL": "warning"]

            let first = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
            let started = try await eventually(timeout: .seconds(60)) {
                try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL") >= 500
            }
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))
            let publishedAtKill = try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL")
            #expect(started, "the relay published nothing: \(first.outputText)")
            #expect(publishedAtKill < rows, "the kill came too late to test anything")

            let second = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
            let drained = try await eventually(timeout: .seconds(90)) {
                try await count(postgres, "reminder_outbox", where: "published_at IS NULL") == 0
            }
            #expect(drained, "rows still unpublished: \(second.outputText)")
            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(10)) == 0)

            let expected = Set(try await postgres.query("SELECT event_id::text AS id FROM reminder_outbox").compactMap { $0["id"] })
            let seen = try await collectEventIDs(topic: topic, expecting: expected, timeout: .seconds(60))
            #expect(expected.subtracting(seen.keys).isEmpty, "\(expected.subtracting(seen.keys).count) rows never reached Kafka")
            let marks = try await postgres.query("SELECT count(*) AS n, count(DISTINCT outbox_id) AS ids FROM outbox_marks")
            #expect(try marks[0].decode("n", as: Int.self) == rows)
            #expect(try marks[0].decode("ids", as: Int.self) == rows)
        }
    }
}

/// Records every change of `published_at` so a test can prove each row was
/// marked exactly once.
func recordMarks(_ postgres: PostgresClient) async throws {
    try await postgres.withConnection { connection in
        try await connection.simpleQuery("""
            CREATE TABLE outbox_marks (outbox_id BIGINT NOT NULL, marked_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION record_outbox_mark() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO outbox_marks (outbox_id) VALUES (NEW.id);
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER record_outbox_mark AFTER UPDATE OF published_at ON reminder_outbox
                FOR EACH ROW WHEN (NEW.published_at IS DISTINCT FROM OLD.published_at) EXECUTE FUNCTION record_outbox_mark();
            """)
    }
}

func createTopic(_ name: String, partitions: Int32 = 4, bootstrapServers: String = TestEnvironment.kafkaBootstrapServers) async throws {
    let admin = try KafkaAdminClient.makeAdminClient(bootstrapServers: bootstrapServers, logger: TestEnvironment.logger("test.admin"))
    _ = try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: partitions)], timeout: .seconds(30))
}
