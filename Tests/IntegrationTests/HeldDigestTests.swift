import Foundation
import IntegrationSupport
import Kafka
import Postgres
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore
import Testing

/// Held, not dropped: what the rate limit holds back is listed for its user and,
/// with `REMINDERS_HELD_DIGEST`, sent as one digest e-mail when the window allows.
@Suite("Held notifications and the digest", .timeLimit(.minutes(3)))
struct HeldDigestTests {
    @Test("8 due reminders for one user: 5 sent, 3 held, listed; one digest e-mail of the 3 at the window's end, from two schedulers")
    func digestAtWindowEnd() async throws {
        try await withSMTPSink { sink in
            try await TestDatabase.with { database, postgres in
                let user = try await Fixtures.user(postgres)
                let other = try await Fixtures.user(postgres)
                try await postgres.query(
                    "INSERT INTO user_notification_preferences (user_id, notify_email, notify_mattermost) VALUES ($1, TRUE, FALSE)", [user]
                )
                let sag = try await Fixtures.caseRow(postgres)
                for _ in 0..<8 { _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user]) }
                // User text the digest must neutralise for e-mail.
                try await postgres.query("UPDATE sag_reminders SET title = 'Follow up & <call>' WHERE sag_id = $1", [sag])
                _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [other])
                let window: TimeInterval = 15
                let store = PostgresGatewayStore(postgres: postgres)
                let pipeline = Pipeline(schedulers: 2, rateWindowSeconds: window, heldDigest: true)
                var emailConfiguration = DeliveryWorkerConfiguration(channel: .email)
                emailConfiguration.enabled = true
                emailConfiguration.dryRun = false
                let worker = DeliveryWorker(
                    repository: PostgresDeliveryRepository(postgres: postgres),
                    sender: try emailSender(plainSMTP(port: sink.port)),
                    consumerConfiguration: KafkaConsumerConfiguration.testing(
                        groupID: pipeline.topicPrefix + emailConfiguration.groupID, topics: [pipeline.topicPrefix + TopicName.deliverEmail]
                    ),
                    configuration: emailConfiguration, logger: TestEnvironment.logger("test.worker.email")
                )

                try await pipeline.run(database: database, postgres: postgres) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await worker.run() }
                        defer { group.cancelAll() }
                        let settled = try await eventually(timeout: .seconds(60)) {
                            try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status IN ('dispatched', 'rate_limited')") >= 8
                        }
                        #expect(settled)
                        let held = try await store.held(userID: user, limit: 100)
                        #expect(held.count == 3)
                        #expect(held.items.count == 3 && held.items.allSatisfy { $0.title == "Follow up & <call>" && $0.sagID == sag })
                        #expect(try await store.held(userID: other, limit: 100).count == 0, "only the caller's own")

                        let digested = try await eventually(timeout: .seconds(90), every: .milliseconds(100)) {
                            try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'held'") >= 3
                        }
                        #expect(digested)
                        // Time for a second scheduler or a second pass to double it, if either could.
                        let doubled = try await eventually(timeout: .seconds(2)) {
                            try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND dedupe_key LIKE 'digest:%'") > 1
                        }
                        #expect(!doubled)
                        // The digest arrives as one e-mail, its user text escaped in the HTML part.
                        let arrived = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                            for message in try sink.messages()
                            where (try? await InspectedEmail.inspect(message.raw))?.subject.hasSuffix("3 påmindelser holdt tilbage") == true {
                                return true
                            }
                            return false
                        }
                        #expect(arrived)
                    }
                }
                var digests: [InspectedEmail] = []
                for message in try sink.messages() {
                    let email = try await InspectedEmail.inspect(message.raw)
                    if email.subject == "Påmindelse: 3 påmindelser holdt tilbage" { digests.append(email) }
                }
                #expect(digests.count == 1)
                if let digest = digests.first {
                    let html = digest.parts.first { $0.content_type == "text/html" }?.content ?? ""
                    #expect(html.contains("Follow up &amp; &lt;call&gt;"), "\(html)")
                    #expect(!html.contains("<call>"))
                    #expect(digest.parts.first { $0.content_type == "text/plain" }?.content.contains("- Follow up & <call>") == true)
                }
                #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'rate_limited'") == 3)
                #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'held'") == 3)
                // Five firings and the digest: the digest counts as one notification.
                #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'dispatched'") == 6)
                let times = try await postgres.query(
                    """
                    SELECT (SELECT min(created_at) FROM sag_reminder_logs WHERE user_id = $1 AND status = 'dispatched'
                               AND dedupe_key NOT LIKE 'digest:%') AS first_sent,
                           (SELECT created_at FROM sag_reminder_logs WHERE user_id = $1 AND dedupe_key LIKE 'digest:%') AS digest_at
                    """,
                    [user]
                )[0]
                let firstSent: Date = try times.decode("first_sent")
                let digestAt: Date = try times.decode("digest_at")
                #expect(digestAt >= firstSent.addingTimeInterval(window), "not before the window let one more through")
                let digest = try await postgres.query(
                    """
                    SELECT payload ->> 'title' AS title, payload ->> 'to_address' AS to_address, payload ->> 'message' AS message
                      FROM reminder_outbox WHERE topic = $1 AND payload ->> 'delivery_id' LIKE 'digest:%'
                    """,
                    [TopicName.deliverEmail]
                )
                #expect(digest.count == 1)
                #expect(try digest.first?.decode("title", as: String.self) == "3 påmindelser holdt tilbage")
                #expect(try digest.first?.decode("to_address", as: String?.self)?.hasSuffix("@example.test") == true)
                #expect(try digest.first?.decode("message", as: String.self).components(separatedBy: "- Follow up").count == 4)
                #expect(try await count(postgres, "sag_reminder_held", where: "user_id = \(user) AND digest_event_id IS NOT NULL") == 3)
            }
        }
    }

    @Test("a pass that looks at one user sends that user one digest of all their held items, those not yet due included")
    func digestCarriesAllOfItsUser() async throws {
        try await TestDatabase.with { _, postgres in
            let (first, second) = (try await Fixtures.user(postgres), try await Fixtures.user(postgres))
            let reminder = try await HeldDigestTests.emailReminder(postgres, recipients: [first, second])
            // The first user's oldest item is due; two more are not yet due.
            try await HeldDigestTests.hold(postgres, user: first, reminder: reminder, dueIn: [-10, 3_600, 3_600])
            try await HeldDigestTests.hold(postgres, user: second, reminder: reminder, dueIn: [-5])
            let repository = PostgresSchedulerRepository(postgres: postgres, heldDigestLimit: RateLimitWindow(limit: 5, window: 3_600))

            let firstPass = try await repository.releaseDueDigests(limit: 1)
            #expect(firstPass.map(\.userID) == [first], "the user whose item has waited longest")
            #expect(firstPass.map(\.items) == [3])
            let secondPass = try await repository.releaseDueDigests(limit: 1)
            #expect(secondPass.map(\.userID) == [second])
            #expect(secondPass.map(\.items) == [1])
            #expect(try await repository.releaseDueDigests(limit: 1).isEmpty)
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(first) AND dedupe_key LIKE 'digest:%'") == 1)
            #expect(try await count(postgres, "sag_reminder_held", where: "user_id = \(first) AND released_at IS NULL") == 0)
        }
    }

    @Test("two schedulers releasing at once, a few users a pass: every user gets exactly one digest carrying all their items")
    func concurrentReleasesNeverSplitAUser() async throws {
        try await TestDatabase.with { _, postgres in
            var created: [Int] = []
            for _ in 0..<12 { created.append(try await Fixtures.user(postgres)) }
            let users = created
            let reminder = try await HeldDigestTests.emailReminder(postgres, recipients: users)
            for user in users { try await HeldDigestTests.hold(postgres, user: user, reminder: reminder, dueIn: [-3, -2, -1]) }
            let repository = PostgresSchedulerRepository(postgres: postgres, heldDigestLimit: RateLimitWindow(limit: 5, window: 3_600))

            // Each scheduler passes until a pass finds nothing; a bounded number of passes.
            let releases = try await withThrowingTaskGroup(of: [HeldDigestRelease].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var sent: [HeldDigestRelease] = []
                        for _ in 0..<users.count {
                            let pass = try await repository.releaseDueDigests(limit: 2)
                            if pass.isEmpty { break }
                            sent += pass
                        }
                        return sent
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(releases.map(\.userID).sorted() == users.sorted(), "one digest per user")
            #expect(releases.allSatisfy { $0.items == 3 })
            let digests = try await postgres.query(
                "SELECT user_id, count(*) AS digests FROM sag_reminder_logs WHERE dedupe_key LIKE 'digest:%' GROUP BY user_id"
            )
            #expect(digests.count == users.count)
            #expect(try digests.allSatisfy { try $0.decode("digests", as: Int.self) == 1 })
            #expect(try await count(postgres, "sag_reminder_held", where: "released_at IS NULL OR digest_event_id IS NULL") == 0)
        }
    }

    /// A reminder whose recipients want e-mail.
    private static func emailReminder(_ postgres: PostgresClient, recipients: [Int]) async throws -> Int {
        for user in recipients {
            try await postgres.query("INSERT INTO user_notification_preferences (user_id, notify_email) VALUES ($1, TRUE)", [user])
        }
        let sag = try await Fixtures.caseRow(postgres)
        return try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: recipients, scheduledAt: Date().addingTimeInterval(86_400))
    }

    /// Held items for `user`, one for each offset: due that many seconds from now.
    private static func hold(_ postgres: PostgresClient, user: Int, reminder: Int, dueIn offsets: [Double]) async throws {
        for offset in offsets {
            try await postgres.query(
                """
                INSERT INTO sag_reminder_held (event_id, user_id, reminder_id, sag_id, held_at, next_attempt_at)
                SELECT gen_random_uuid(), $1, r.id, r.sag_id, clock_timestamp() - interval '1 minute',
                       clock_timestamp() + make_interval(secs => $3)
                  FROM sag_reminders r WHERE r.id = $2
                """,
                [user, reminder, offset]
            )
        }
    }

    @Test("digest off (the default): the seed's outcome stays, nothing is noted for a digest and none is sent")
    func digestOff() async throws {
        try await TestDatabase.with { database, postgres in
            let user = try await Fixtures.user(postgres)
            try await postgres.query(
                "INSERT INTO user_notification_preferences (user_id, notify_email) VALUES ($1, TRUE)", [user]
            )
            let sag = try await Fixtures.caseRow(postgres)
            for _ in 0..<6 { _ = try await Fixtures.timeBasedReminder(postgres, sagID: sag, recipients: [user]) }
            try await Pipeline(rateWindowSeconds: 3).run(database: database, postgres: postgres) {
                let settled = try await eventually(timeout: .seconds(60)) {
                    try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status IN ('dispatched', 'rate_limited')") >= 6
                }
                #expect(settled)
                // The window ends; still no digest (bounded wait for one that must not come).
                let digest = try await eventually(timeout: .seconds(6)) {
                    try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'held'") > 0
                }
                #expect(!digest)
            }
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'dispatched'") == 5)
            #expect(try await count(postgres, "sag_reminder_logs", where: "user_id = \(user) AND status = 'rate_limited'") == 1)
            #expect(try await count(postgres, "sag_reminder_queue", where: "status = 'rate_limited'") == 1)
            #expect(try await count(postgres, "sag_reminder_held") == 0)
            #expect(try await PostgresGatewayStore(postgres: postgres).held(userID: user, limit: 100).count == 1)
        }
    }
}
