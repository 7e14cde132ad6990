import Foundation
import Kafka
import Postgres
import ReminderContracts
import ReminderDomain
import Synchronization
import Testing

/// Tests that run the `reminders` binary itself: crashes, restarts, switches.
@Suite("Services as processes", .timeLimit(.minutes(3)))
struct ProcessLevelTests {
    @Test("two relays: one publishes, the other stands by and takes over when the first is killed")
    func relayStandby() async throws {
        try await TestDatabase.with { database, postgres in
            let topic = "test-standby-" + TestEnvironment.uniqueSuffix()
            try await createTopic(topic)
            let environment = ["DATABASE_URL": database.url, "LOG_LEVEL": "info"]
            let first = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
            let firstLeads = await eventually(timeout: .seconds(30)) { first.outputText.contains("is the active relay") }
            #expect(firstLeads, "\(first.outputText)")
            let second = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
            let secondWaits = await eventually(timeout: .seconds(30)) { second.outputText.contains("standing by") }
            #expect(secondWaits, "\(second.outputText)")
            // Each service names its role on its connections, so pg_stat_activity tells them apart.
            let named = try await count(postgres, "pg_stat_activity", where: "datname = current_database() AND application_name = 'reminders relay'")
            #expect(named >= 2, "connections named 'reminders relay': \(named)")

            try await insertKeyedRows(postgres, topic: topic, range: 1...100)
            let firstBatch = try await eventually(timeout: .seconds(30)) {
                try await count(postgres, "reminder_outbox", where: "published_at IS NULL") == 0
            }
            #expect(firstBatch)
            #expect(!second.outputText.contains("is the active relay"))

            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))
            try await insertKeyedRows(postgres, topic: topic, range: 101...200)
            let taken = await eventually(timeout: .seconds(30)) { second.outputText.contains("is the active relay") }
            #expect(taken, "\(second.outputText)")
            let drained = try await eventually(timeout: .seconds(30)) {
                try await count(postgres, "reminder_outbox", where: "published_at IS NULL") == 0
            }
            #expect(drained)
            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(10)) == 0)

            // Per key, the messages arrive in the order they were written.
            let expected = Set(try await postgres.query("SELECT event_id::text AS id FROM reminder_outbox").compactMap { $0["id"] })
            let order = try await collectPayloadOrder(topic: topic, expecting: expected.count, timeout: .seconds(30))
            for (key, sequence) in order {
                #expect(sequence == sequence.sorted(), "key \(key) out of order: \(sequence)")
            }
            #expect(order.values.map(\.count).reduce(0, +) >= expected.count)
        }
    }

    @Test("with REMINDERS_ENABLED=false the scheduler and dispatcher log one line and fire nothing")
    func masterSwitchOff() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user])
            let environment = ["DATABASE_URL": database.url, "REMINDERS_ENABLED": "false", "KAFKA_TOPIC_PREFIX": "test-off-\(TestEnvironment.uniqueSuffix())."]
            for role in ["scheduler", "dispatcher"] {
                let process = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: [role], environment: environment)
                let announced = await eventually(timeout: .seconds(30)) { process.outputText.contains("reminders are disabled") }
                #expect(announced, "\(role): \(process.outputText)")
                // Had it been enabled, the scheduler would have fired the due
                // reminder within milliseconds; give it a generous moment.
                try await Task.sleep(for: .seconds(1))
                process.signal(SIGTERM)
                #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
                let lines = process.outputText.split(separator: "\n").filter { $0.contains("reminders are disabled") }
                #expect(lines.count == 1)
            }
            #expect(try await count(postgres, "sag_reminder_queue") == 0)
            #expect(try await count(postgres, "reminder_outbox") == 0)
        }
    }

    @Test("SIGKILL a dispatcher under load and restart it: every (firing, recipient) is logged exactly once")
    func dispatcherKill() async throws {
        try await TestDatabase.with { database, postgres in
            var users: [Int] = []
            for _ in 0..<30 { users.append(try await Fixtures.user(postgres)) }
            let sag = try await Fixtures.caseRow(postgres)
            let reminders = 600
            try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at)
                SELECT $1, 'Load ' || n, 'time_based', ARRAY[($2::int[])[1 + n % 30], ($2::int[])[1 + (n + 7) % 30]],
                       now() - interval '1 minute'
                  FROM generate_series(1, $3) AS n
                """,
                [sag, users, reminders]
            )
            let prefix = "test-kill-\(TestEnvironment.uniqueSuffix())."
            let environment = [
                "DATABASE_URL": database.url, "KAFKA_TOPIC_PREFIX": prefix, "REMINDERS_ENABLED": "true",
                "REMINDERS_MAX_PER_USER_PER_HOUR": "10000", "LOG_LEVEL": "warning",
            ]
            let topics = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["topics"], environment: environment)
            #expect(await topics.waitForExit(timeout: .seconds(60)) == 0)
            let relay = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["relay"], environment: environment)
            let scheduler = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["scheduler"], environment: environment)
            let first = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["dispatcher"], environment: environment)
            let underWay = try await eventually(timeout: .seconds(60)) {
                try await count(postgres, "sag_reminder_logs", where: "status = 'fired'") >= 50
            }
            #expect(underWay, "\(first.outputText)")
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))
            let atKill = try await count(postgres, "sag_reminder_logs", where: "status = 'fired'")
            #expect(atKill < reminders, "the kill came too late to test anything")

            let second = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["dispatcher"], environment: environment)
            let finished = try await eventually(timeout: .seconds(120)) {
                try await count(postgres, "sag_reminder_logs", where: "status = 'fired'") == reminders
            }
            #expect(finished, "\(second.outputText)")
            for process in [second, scheduler, relay] { process.signal(SIGTERM) }
            for process in [second, scheduler, relay] { #expect(await process.waitForExit(timeout: .seconds(15)) == 0) }

            let perRecipient = try await postgres.query(
                """
                SELECT count(*) AS pairs, coalesce(max(n), 0) AS most, coalesce(min(n), 0) AS least
                  FROM (SELECT count(*) AS n FROM sag_reminder_logs WHERE status = 'dispatched' GROUP BY event_id, user_id) AS per
                """
            )
            #expect(try perRecipient[0].decode("pairs", as: Int.self) == reminders * 2)
            #expect(try perRecipient[0].decode("most", as: Int.self) == 1)
            #expect(try await count(postgres, "sag_reminder_queue", where: "status = 'sent'") == reminders)
        }
    }

    @Test("a malformed fired event and one naming an unknown reminder go to the dead-letter topic; the dispatcher carries on")
    func deadLetters() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            _ = try await Fixtures.statusChangeReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            let pipeline = Pipeline()
            let producer = try KafkaProducer.makeProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBootstrapServers),
                logger: TestEnvironment.logger("test.producer")
            )
            let malformedID = UUID().uuidString.lowercased()
            let unknownID = UUID().uuidString.lowercased()
            try await pipeline.run(database: database, postgres: postgres) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await producer.run() }
                    defer { group.cancelAll() }
                    let topic = pipeline.topicPrefix + TopicName.fired
                    _ = try await producer.send(KafkaProducerMessage(
                        topic: topic, key: "1", value: #"{"event_id": "\#(malformedID)", "reminder_id": "not a number"}"#,
                        headers: [KafkaHeader(key: "event_id", string: malformedID)]
                    ))
                    let unknown = FiredEvent(eventID: UUID(uuidString: unknownID)!, eventType: .timeBased, reminderID: 999_999, sagID: sag, occurredAt: Date())
                    _ = try await producer.send(KafkaProducerMessage(
                        topic: topic, key: Array("999999".utf8), value: try MessageCoding.encode(unknown),
                        headers: [KafkaHeader(key: "event_id", string: unknownID)]
                    ))
                }
                // A good firing after the bad ones is still dispatched.
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                let dispatched = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 1
                }
                #expect(dispatched)
                let parked = try await collectEventIDs(
                    topic: pipeline.topicPrefix + TopicName.deadLetter(of: TopicName.fired),
                    expecting: [malformedID, unknownID], header: "source_event_id", timeout: .seconds(30)
                )
                #expect(parked[malformedID] != nil)
                #expect(parked[unknownID] != nil)
            }
        }
    }
}

@Suite("Dispatcher with a firing the database refuses", .timeLimit(.minutes(2)))
struct PoisonFiringTests {
    @Test("a firing whose transaction fails for good is parked with the reason; the firings around it are dispatched")
    func poisonFiring() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            var reminders: [Int] = []
            for _ in 0..<3 { reminders.append(try await Fixtures.timeBasedReminder(postgres, sagID: try await Fixtures.caseRow(postgres), recipients: [user])) }
            let poisoned = reminders[1]
            // The database refuses anything logged for the middle reminder.
            try await postgres.withConnection { connection in
                try await connection.simpleQuery("""
                    CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.reminder_id = \(poisoned) THEN RAISE EXCEPTION 'poisoned reminder'; END IF;
                        RETURN NEW;
                    END;
                    $$;
                    CREATE TRIGGER refuse_poisoned BEFORE INSERT ON sag_reminder_logs FOR EACH ROW EXECUTE FUNCTION refuse_poisoned();
                    """)
            }
            let pipeline = Pipeline()
            try await pipeline.run(database: database, postgres: postgres) {
                let dispatched = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "status = 'dispatched'") == 2
                }
                #expect(dispatched)
                let poisonedEvent = try #require(
                    try await postgres.query("SELECT event_id::text AS id FROM sag_reminder_queue WHERE reminder_id = $1", [poisoned]).first?["id"]
                )
                let parked = try await collectEventIDs(
                    topic: pipeline.topicPrefix + TopicName.deadLetter(of: TopicName.fired),
                    expecting: [poisonedEvent], header: "source_event_id", timeout: .seconds(30)
                )
                #expect(parked[poisonedEvent] != nil)
            }
            #expect(try await count(postgres, "sag_reminder_logs", where: "reminder_id = \(poisoned)") == 0)
        }
    }
}

private func insertKeyedRows(_ postgres: PostgresClient, topic: String, range: ClosedRange<Int>) async throws {
    try await postgres.query(
        """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload)
        SELECT gen_random_uuid(), $1, (n % 5)::text, jsonb_build_object('n', n) FROM generate_series($2::int, $3::int) AS n
        """,
        [topic, range.lowerBound, range.upperBound]
    )
}

/// The `n` values per key, in the order a consumer received them.
private func collectPayloadOrder(topic: String, expecting total: Int, timeout: Duration) async throws -> [String: [Int]] {
    var configuration = KafkaConsumerConfiguration.testing(groupID: "test-order-" + TestEnvironment.uniqueSuffix(), topics: [topic])
    configuration.autoOffsetReset = .earliest
    let consumer = try KafkaConsumer.makeConsumer(configuration: configuration, logger: TestEnvironment.logger("test.order"))
    let order = SharedOrder()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await consumer.run() }
        group.addTask { try await Task.sleep(for: timeout) }
        group.addTask {
            var received = 0
            for try await message in consumer.messages {
                guard let n = try MessageCoding.decode(JSONValue.self, from: message.value)["n"]?.int64Value else { continue }
                order.append(Int(n), for: message.keyString ?? "")
                received += 1
                if received >= total { return }
            }
        }
        _ = try await group.next()
        group.cancelAll()
    }
    return order.snapshot
}

private final class SharedOrder: Sendable {
    private let values = Mutex<[String: [Int]]>([:])
    func append(_ n: Int, for key: String) { values.withLock { $0[key, default: []].append(n) } }
    var snapshot: [String: [Int]] { values.withLock { $0 } }
}

@Suite("The seed's scheduler log lines", .timeLimit(.minutes(2)))
struct SchedulerSeedLogTests {
    @Test("the scheduler logs \"Reminder job scheduled\" once, then \"✅ Checking for pending reminders...\" and \"Reminder check complete\" on a sweep")
    func seedLines() async throws {
        try await TestDatabase.with { database, postgres in
            let environment = [
                "DATABASE_URL": database.url, "REMINDERS_ENABLED": "true", "LOG_LEVEL": "info",
                "REMINDERS_CHECK_INTERVAL_MINUTES": "1", "METRICS_PORT": "0",
                "KAFKA_TOPIC_PREFIX": "test-seedlog-\(TestEnvironment.uniqueSuffix()).",
            ]
            let scheduler = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["scheduler"], environment: environment)
            let logged = await eventually(timeout: .seconds(30)) {
                let text = scheduler.outputText
                return text.contains("Reminder job scheduled") && text.contains("✅ Checking for pending reminders...")
                    && text.contains("Reminder check complete")
            }
            #expect(logged, "\(scheduler.outputText)")
            scheduler.signal(SIGTERM)
            #expect(await scheduler.waitForExit(timeout: .seconds(10)) == 0)
            let text = scheduler.outputText
            #expect(text.components(separatedBy: "Reminder job scheduled").count == 2, "logged once")
            // The job line comes first, the check's end after its start.
            let scheduled = try #require(text.range(of: "Reminder job scheduled"))
            let checking = try #require(text.range(of: "✅ Checking for pending reminders..."))
            let complete = try #require(text.range(of: "Reminder check complete"))
            #expect(scheduled.lowerBound < checking.lowerBound && checking.lowerBound < complete.lowerBound)
            #expect(text.contains("fired_since_last_check=0"))
        }
    }
}

extension ProcessLevelTests {
    @Test("the scheduler process writes REMINDERS_CASE_CLOSED_STATUSES for the case trigger, which then completes on them")
    func closingStatusesFromTheEnvironment() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            let reminder = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user], scheduledAt: Date().addingTimeInterval(3600))
            let environment = [
                "DATABASE_URL": database.url, "REMINDERS_ENABLED": "true", "METRICS_PORT": "0",
                "REMINDERS_CASE_CLOSED_STATUSES": " arkiveret , lukket ",
                "KAFKA_TOPIC_PREFIX": "test-closing-\(TestEnvironment.uniqueSuffix()).",
            ]
            let scheduler = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["scheduler"], environment: environment)
            let stored = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                try await postgres.query("SELECT array_agg(status ORDER BY status) AS s FROM sag_reminder_closing_statuses")[0]
                    .decode("s", as: [String]?.self) == ["arkiveret", "lukket"]
            }
            #expect(stored, "\(scheduler.outputText)")
            scheduler.signal(SIGTERM)
            #expect(await scheduler.waitForExit(timeout: .seconds(10)) == 0)
            try await postgres.query("UPDATE sag_sager SET status = 'afsluttet' WHERE id = $1", [sag])
            #expect(try await count(postgres, "sag_reminder_logs", where: "reminder_id = \(reminder) AND status = 'completed'") == 0)
            try await postgres.query("UPDATE sag_sager SET status = 'arkiveret' WHERE id = $1", [sag])
            #expect(try await count(postgres, "sag_reminder_logs", where: "reminder_id = \(reminder) AND status = 'completed'") == 1)
        }
    }
}
