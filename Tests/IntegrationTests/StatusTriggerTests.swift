import Foundation
import Kafka
import OutboxRelay
import Postgres
import ServiceLifecycle
import Testing

@Suite("Status-change trigger", .timeLimit(.minutes(1)))
struct StatusTriggerTests {
    @Test("a status change to the target status queues the event and writes the outbox in the same transaction")
    func sameTransaction() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])

            // Rolled back: neither queue nor outbox keeps anything.
            await #expect(throws: (any Error).self) {
                try await postgres.withTransaction { connection in
                    try await connection.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                    let inside = try await connection.query("SELECT count(*) AS n FROM reminder_outbox")
                    #expect(try inside[0].decode("n", as: Int.self) == 1)
                    throw CancellationError()
                }
            }
            #expect(try await count(postgres, "reminder_outbox") == 0)
            #expect(try await count(postgres, "sag_reminder_queue") == 0)

            // Committed: both rows, sharing one event id.
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let rows = try await postgres.query(
                """
                SELECT q.event_id::text AS queue_event, o.event_id::text AS outbox_event, o.topic, o.message_key,
                       q.status, o.payload ->> 'reminder_id' AS reminder_id, o.payload ->> 'new_status' AS new_status
                  FROM sag_reminder_queue q JOIN reminder_outbox o ON o.event_id = q.event_id
                """
            )
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row["topic"] == "reminders.fired")
            #expect(row["status"] == "pending")
            #expect(row["message_key"] == String(reminder))
            #expect(row["reminder_id"] == String(reminder))
            #expect(row["new_status"] == "i_gang")
        }
    }

    @Test("another status, an inactive or a deleted reminder fires nothing")
    func nothingFires() async throws {
        try await TestDatabase.with { _, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "afsluttet", recipients: [user], isActive: false)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "afsluttet", recipients: [user], deleted: true)
            let other = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: other, targetStatus: "afsluttet", recipients: [user])

            try await postgres.query("UPDATE sag_sager SET status = 'venter' WHERE id = $1", [sag])
            try await postgres.query("UPDATE sag_sager SET status = 'afsluttet' WHERE id = $1", [sag])
            try await postgres.query("UPDATE sag_sager SET titel = 'renamed' WHERE id = $1", [sag])
            #expect(try await count(postgres, "reminder_outbox") == 0)
            #expect(try await count(postgres, "sag_reminder_queue") == 0)
        }
    }

    @Test("the fired event reaches a consumer of reminders.fired with its event id")
    func reachesKafka() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            // Topics of this test's own, so no other consumer of the broker
            // (another test, a developer's running dispatcher) sees its event.
            var relayConfiguration = OutboxRelayConfiguration()
            relayConfiguration.topicPrefix = "test-trigger-\(TestEnvironment.uniqueSuffix())."
            let relay = OutboxRelay(
                postgres: postgres,
                postgresConfiguration: database.configuration,
                producerConfiguration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBootstrapServers),
                configuration: relayConfiguration,
                logger: TestEnvironment.logger("test.relay")
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                defer { group.cancelAll() }
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                let eventID = try #require(try await postgres.query("SELECT event_id::text AS id FROM reminder_outbox")[0]["id"])
                let seen = try await collectEventIDs(
                    topic: relayConfiguration.topicPrefix + "reminders.fired", expecting: [eventID], timeout: .seconds(30)
                )
                #expect(seen[eventID] != nil)
                let condition1 = try await eventually(timeout: .seconds(10)) {
                    try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL") == 1
                }
                #expect(condition1)
            }
        }
    }
}

func count(
    _ postgres: PostgresClient, _ table: String, where condition: String = "TRUE", _ bindings: [any PostgresBindable] = []
) async throws -> Int {
    try await postgres.query("SELECT count(*) AS n FROM \(table) WHERE \(condition)", bindings)[0].decode("n")
}
