import Curl
import Foundation
import Kafka
import OutboxRelay
import Postgres
import ReminderStore
import Testing

/// Poison rows in the outbox: each is set aside with its reason while the
/// relay goes on with the rows after it; a broker outage sets nothing aside.
@Suite("Outbox relay quarantines poison rows", .timeLimit(.minutes(3)))
struct RelayQuarantineTests {
    @Test("a row with malformed headers between good rows is quarantined; the good rows are published")
    func malformedHeaders() async throws {
        try await withRelay { postgres, topic in
            let before = try await writeOutboxRows(postgres, topic: topic, count: 3)
            let bad = try await writeOutboxRow(postgres, topic: topic, headers: #"{"delivery_id": 42}"#)
            let after = try await writeOutboxRows(postgres, topic: topic, count: 3)

            let settled = try await eventually(timeout: .seconds(30)) { try await unsettledRows(postgres) == 0 }
            #expect(settled, "rows neither published nor quarantined")
            let row = try await outboxRow(postgres, id: bad.id)
            #expect(row.quarantined && !row.published)
            #expect(row.error.contains("headers"), "reason: \(row.error)")
            #expect(row.attempts == 1)
            let good = before + after
            #expect(try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL") == good.count)
            let seen = try await collectEventIDs(topic: topic, expecting: Set(good.map(\.eventID)), timeout: .seconds(30))
            #expect(Set(good.map(\.eventID)).subtracting(seen.keys).isEmpty)
            #expect(seen[bad.eventID] == nil)
        }
    }

    @Test("a row too large for the producer's message.max.bytes is quarantined with the broker's reason; the rest go on")
    func tooLarge() async throws {
        try await withRelay(producerProperties: ["message.max.bytes": "10000"]) { postgres, topic in
            let before = try await writeOutboxRows(postgres, topic: topic, count: 5)
            let large = try await writeOutboxRow(postgres, topic: topic, payload: "{\"blob\": \"\(String(repeating: "x", count: 20_000))\"}")
            let after = try await writeOutboxRows(postgres, topic: topic, count: 5)

            let settled = try await eventually(timeout: .seconds(30)) { try await unsettledRows(postgres) == 0 }
            #expect(settled)
            let row = try await outboxRow(postgres, id: large.id)
            #expect(row.quarantined && !row.published)
            #expect(row.error.contains("MSG_SIZE_TOO_LARGE"), "reason: \(row.error)")
            #expect(!row.error.contains("xxxx"), "the reason quotes the payload")
            let good = Set((before + after).map(\.eventID))
            let seen = try await collectEventIDs(topic: topic, expecting: good, timeout: .seconds(30))
            #expect(good.subtracting(seen.keys).isEmpty)
        }
    }

    @Test("a row for a topic name Kafka does not allow is quarantined at once; rows for the good topic go on")
    func invalidTopic() async throws {
        try await withRelay { postgres, topic in
            let good = try await writeOutboxRows(postgres, topic: topic, count: 4)
            let bad = try await writeOutboxRow(postgres, topic: "not a valid topic!")
            let more = try await writeOutboxRows(postgres, topic: topic, count: 4)

            let settled = try await eventually(timeout: .seconds(60)) { try await unsettledRows(postgres) == 0 }
            #expect(settled)
            let row = try await outboxRow(postgres, id: bad.id)
            #expect(row.quarantined && !row.published)
            #expect(row.error.contains("not a legal topic name"), "reason: \(row.error)")
            #expect(row.attempts == 1)
            #expect(try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL") == good.count + more.count)
        }
    }

    @Test("requeued after its headers were fixed, a quarantined row is published; requeue touches nothing else")
    func requeueFixedRow() async throws {
        try await withRelay { postgres, topic in
            let bad = try await writeOutboxRow(postgres, topic: topic, headers: #"["not", "an", "object"]"#)
            let quarantined = try await eventually(timeout: .seconds(30)) { try await outboxRow(postgres, id: bad.id).quarantined }
            #expect(quarantined)

            try await postgres.query(#"UPDATE reminder_outbox SET headers = '{"fixed": "yes"}' WHERE id = $1"#, [bad.id])
            let quarantine = OutboxQuarantine(postgres: postgres)
            #expect(try await quarantine.list().map(\.id) == [bad.id])
            #expect(try await quarantine.requeue(ids: [bad.id, bad.id + 1000]) == [bad.id])

            let published = try await eventually(timeout: .seconds(30)) { try await outboxRow(postgres, id: bad.id).published }
            #expect(published)
            #expect(try await quarantine.list().isEmpty)
            #expect(try await quarantine.requeue(ids: [bad.id]).isEmpty, "a published row was requeued")
            let seen = try await collectEventIDs(topic: topic, expecting: [bad.eventID], timeout: .seconds(30))
            #expect(seen[bad.eventID] == 1)
        }
    }

    @Test("broker paused past the producer's message timeout while rows wait: nothing is quarantined, everything is published")
    func outageQuarantinesNothing() async throws {
        let broker = try await TestBroker.start()
        try await withRelay(broker: broker, messageTimeout: .seconds(2)) { postgres, topic in
            _ = try await writeOutboxRows(postgres, topic: topic, count: 20)
            let first = try await eventually(timeout: .seconds(30)) { try await unsettledRows(postgres) == 0 }
            #expect(first)

            broker.pause()
            let during = try await writeOutboxRows(postgres, topic: topic, count: 30)
            // Long enough for the relay's sends to time out several times over.
            try await Task.sleep(for: .seconds(7))
            broker.resume()

            let drained = try await eventually(timeout: .seconds(90)) { try await unsettledRows(postgres) == 0 }
            #expect(drained)
            #expect(try await count(postgres, "reminder_outbox", where: "quarantined_at IS NOT NULL") == 0)
            #expect(try await count(postgres, "reminder_outbox", where: "publish_attempts > 0") == 0)
            let expected = Set(during.map(\.eventID))
            let seen = try await collectEventIDs(topic: topic, expecting: expected, bootstrapServers: broker.bootstrapServers, timeout: .seconds(30))
            #expect(expected.subtracting(seen.keys).isEmpty)
        }
    }

    @Test("as a process: the quarantine is counted in /metrics, listed by `reminders outbox quarantined` and lifted by `requeue --all`")
    func commandAndMetric() async throws {
        try await TestDatabase.with { database, postgres in
            let prefix = "test-quarantine-cli-\(TestEnvironment.uniqueSuffix())."
            let topic = "events"
            try await createTopic(prefix + topic)
            let bad = try await writeOutboxRow(postgres, topic: topic, key: "key-7", headers: #"{"n": {"nested": true}}"#)
            let good = try await writeOutboxRows(postgres, topic: topic, count: 2)
            let port = try freePort()
            let environment = ["DATABASE_URL": database.url, "KAFKA_TOPIC_PREFIX": prefix, "LOG_LEVEL": "warning"]
            let relay = try ChildProcess(
                executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment.merging(["METRICS_PORT": "\(port)"]) { $1 }
            )
            let http = CurlHTTPClient()
            let counted = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                guard let response = try? await http.get(url: "http://127.0.0.1:\(port)/metrics") else { return false }
                let text = String(decoding: response.body, as: UTF8.self)
                return PrometheusText.sum(of: "reminders_outbox_quarantined_total", labels: ["topic": topic], in: text) == 1
            }
            #expect(counted, "metric never showed the quarantine: \(relay.outputText)")
            let published = try await eventually(timeout: .seconds(30)) {
                try await count(postgres, "reminder_outbox", where: "published_at IS NOT NULL") == good.count
            }
            #expect(published)
            let warnings = relay.outputText.split(separator: "\n").filter { $0.contains("quarantined") }
            #expect(warnings.count == 1, "expected one warning line: \(relay.outputText)")
            #expect(warnings.first?.contains("\(bad.id)") == true)
            #expect(warnings.first?.contains("nested") == false, "the log quotes the row's content")

            let list = try await runReminders(["outbox", "quarantined"], environment: environment)
            #expect(list.status == 0, "\(list.output)")
            let line = list.output.split(separator: "\n").first { $0.hasPrefix("\(bad.id)\t") }
            let fields = line.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) } ?? []
            #expect(fields.count == 6, "\(list.output)")
            if fields.count == 6 {
                #expect(fields[0] == "\(bad.id)")
                #expect(fields[1] == topic)
                #expect(fields[2] == "key-7")
                #expect(fields[3].contains("headers"))
                #expect(fields[4].hasSuffix("Z"))
                #expect(fields[5] == "1")
            }

            let refused = try await runReminders(["outbox", "requeue"], environment: environment)
            #expect(refused.status != 0, "requeue without ids or --all must be refused")
            try await postgres.query("UPDATE reminder_outbox SET headers = '{}' WHERE id = $1", [bad.id])
            let requeue = try await runReminders(["outbox", "requeue", "--all"], environment: environment)
            #expect(requeue.status == 0, "\(requeue.output)")
            #expect(requeue.output.contains("requeued\t\(bad.id)"))
            let republished = try await eventually(timeout: .seconds(30)) { try await outboxRow(postgres, id: bad.id).published }
            #expect(republished, "\(relay.outputText)")
            let empty = try await runReminders(["outbox", "quarantined"], environment: environment)
            #expect(empty.status == 0 && empty.output.contains("0 quarantined outbox row(s)"), "\(empty.output)")
            #expect(!empty.output.contains("\(bad.id)\t"), "\(empty.output)")
            relay.signal(SIGTERM)
            let status = await relay.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "relay after SIGTERM: \(status.map { "exit \($0)" } ?? "still running")\n\(relay.outputForFailure)")
        }
    }

    // MARK: Helpers

    private func withRelay(
        broker: TestBroker? = nil, messageTimeout: Duration = .seconds(30), producerProperties: [String: String] = [:],
        _ body: @Sendable (PostgresClient, String) async throws -> Void
    ) async throws {
        try await withTestRelay(
            topicPrefix: "test-quarantine-", bootstrapServers: broker?.bootstrapServers ?? TestEnvironment.kafkaBootstrapServers,
            configureProducer: { producer in
                producer.messageTimeout = messageTimeout
                producer.linger = .zero
                producer.properties = producerProperties
            },
            body
        )
    }
}

/// An outbox row a test wrote.
struct WrittenRow: Sendable {
    let id: Int64
    let eventID: String
}

/// What became of an outbox row.
struct OutboxRowState: Sendable {
    let published: Bool
    let quarantined: Bool
    let error: String
    let attempts: Int
}

@discardableResult
func writeOutboxRow(
    _ postgres: PostgresClient, topic: String, key: String? = nil, payload: String = #"{"n": 0}"#, headers: String = "{}"
) async throws -> WrittenRow {
    let rows = try await postgres.query(
        """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers)
        VALUES (gen_random_uuid(), $1, $2, $3::jsonb, $4::jsonb)
        RETURNING id, event_id::text AS event_id
        """,
        [topic, key, payload, headers]
    )
    return WrittenRow(id: try rows[0].decode("id"), eventID: try rows[0].decode("event_id"))
}

func writeOutboxRows(_ postgres: PostgresClient, topic: String, count: Int) async throws -> [WrittenRow] {
    let rows = try await postgres.query(
        """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload)
        SELECT gen_random_uuid(), $1, n::text, jsonb_build_object('n', n) FROM generate_series(1, $2) AS n
        RETURNING id, event_id::text AS event_id
        """,
        [topic, count]
    )
    return try rows.map { WrittenRow(id: try $0.decode("id"), eventID: try $0.decode("event_id")) }
}

/// Rows the relay has yet to publish or quarantine.
func unsettledRows(_ postgres: PostgresClient) async throws -> Int {
    try await count(postgres, "reminder_outbox", where: "published_at IS NULL AND quarantined_at IS NULL")
}

func outboxRow(_ postgres: PostgresClient, id: Int64) async throws -> OutboxRowState {
    let rows = try await postgres.query(
        """
        SELECT published_at IS NOT NULL AS published, quarantined_at IS NOT NULL AS quarantined,
               coalesce(last_error, '') AS error, publish_attempts
          FROM reminder_outbox WHERE id = $1
        """,
        [id]
    )
    return OutboxRowState(
        published: try rows[0].decode("published"), quarantined: try rows[0].decode("quarantined"),
        error: try rows[0].decode("error"), attempts: try rows[0].decode("publish_attempts")
    )
}

/// Runs the `reminders` binary to its end (at most a minute); its exit status
/// and what it wrote (stdout and stderr together).
func runReminders(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32?, output: String) {
    let process = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: arguments, environment: environment)
    let status = await process.waitForExit(timeout: .seconds(60))
    return (status, process.outputText)
}
