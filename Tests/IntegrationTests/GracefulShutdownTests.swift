import Foundation
import Postgres
import ReminderGateway
import Synchronization
import Testing

/// SIGTERM to each service while messages flow: it stops taking work,
/// finishes what it holds, and exits 0 in time; its successor picks up where
/// it left, with nothing lost and nothing done twice.
@Suite("Graceful shutdown under load", .timeLimit(.minutes(6)))
struct GracefulShutdownTests {
    static let recipientsPerReminder = 2
    static let channels = 3

    @Test("SIGTERM each service under load: exit 0 within 10 s; after its restart nothing is lost or doubled")
    func sigtermEachServiceUnderLoad() async throws {
        try await TestDatabase.with { database, postgres in
            let fleet = try await ServiceFleet(databaseURL: database.url)
            var users: [Int] = []
            for _ in 0..<6 { users.append(try await Fixtures.user(postgres)) }
            var cases: [Int] = []
            for index in 0..<8 {
                let sag = try await Fixtures.caseRow(postgres)
                cases.append(sag)
                try await ServiceObservabilityTests.allChannelsReminder(
                    postgres, sagID: sag, targetStatus: "i_gang",
                    recipients: [users[index % users.count], users[(index + 1) % users.count]]
                )
            }
            // Time-based reminders falling due one after another while the test runs.
            try await postgres.query(
                """
                INSERT INTO sag_reminders (sag_id, title, trigger_type, recipient_user_ids, scheduled_at,
                                           notify_email, notify_mattermost, notify_frontend, override_user_preferences)
                SELECT $1, 'Due ' || n, 'time_based', ARRAY[$2::int, $3::int], now() + n * interval '250 milliseconds',
                       true, true, true, true
                  FROM generate_series(1, 400) AS n
                """,
                [cases[0], users[2], users[3]]
            )
            try fleet.startAll()
            try await fleet.waitUntilReady()

            // An open event stream: the gateway must end it to stop in time.
            let token = JSONWebToken(secret: fleet.environment["JWT_SECRET"]!).sign(userID: users[0], expiresAt: Date().addingTimeInterval(3600))
            let stream = try ChildProcess(
                executable: ProcessInfo.processInfo.environment["PYTHON"] ?? "python3",
                arguments: ["-u", "-c", Self.streamReader, fleet.role("gateway").baseURL + "/api/v1/reminders/stream/me?token=" + token],
                environment: [:]
            )

            let load = StatusChangeLoad(postgres: postgres, cases: cases)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await load.run() }
                let opened = await eventually(timeout: .seconds(30)) { stream.outputText.contains("stream open") }
                #expect(opened, "\(stream.outputText)")
                for role in fleet.roles.map(\.name) {
                    try await Self.waitForWork(of: role, fleet: fleet)
                    guard let process = fleet.process(role) else { continue }
                    let signalled = ContinuousClock.now
                    process.signal(SIGTERM)
                    let status = await process.waitForExit(timeout: .seconds(10))
                    let took = ContinuousClock.now - signalled
                    #expect(status == 0, "\(role) after SIGTERM: \(status.map { "exit \($0)" } ?? "still running after 10 s")\n\(process.outputText.suffix(3000))")
                    #expect(took < .seconds(10), "\(role) took \(took)")
                    print("graceful shutdown: \(role) exited \(status.map(String.init) ?? "-") after \(took) with \(load.changes) status changes made so far")
                    if role == "gateway" {
                        let ended = await eventually(timeout: .seconds(5)) { stream.outputText.contains("stream closed") }
                        #expect(ended, "the event stream stayed open: \(stream.outputText)")
                    }
                    try fleet.start(role)
                    let ready = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                        await fleet.get(role, "/readyz")?.status == 200
                    }
                    #expect(ready, "\(role) not ready after restart: \(fleet.process(role)?.outputText ?? "")")
                }
                load.stop()
                try await group.waitForAll()
            }
            #expect(load.changes > 0)
            // No more firings from here on, so the expected totals are final.
            try await postgres.query("UPDATE sag_reminders SET is_active = false WHERE trigger_type = 'time_based' AND fire_count = 0")

            // Drain: every firing dispatched to each recipient and delivered on each channel.
            let firings = try await count(postgres, "reminder_outbox", where: "topic = 'reminders.fired'")
            let expectedDeliveries = firings * Self.recipientsPerReminder * Self.channels
            let drained = try await eventually(timeout: .seconds(180), every: .milliseconds(500)) {
                let unpublished = try await count(postgres, "reminder_outbox", where: "published_at IS NULL")
                let delivered = try await count(postgres, "sag_reminder_deliveries", where: "status IN ('dry_run', 'sent')")
                return unpublished == 0 && delivered == expectedDeliveries
            }
            let delivered = try await count(postgres, "sag_reminder_deliveries", where: "status IN ('dry_run', 'sent')")
            #expect(drained, "deliveries \(delivered) of \(expectedDeliveries) for \(firings) firings")
            print("graceful shutdown: \(firings) firings, \(delivered) deliveries of \(expectedDeliveries) expected")
            await fleet.stopAll()

            // Nothing lost: every firing's recipients dispatched exactly once each.
            let dispatched = try await postgres.query(
                """
                SELECT count(*) AS pairs, coalesce(max(n), 0) AS most
                  FROM (SELECT count(*) AS n FROM sag_reminder_logs WHERE status = 'dispatched' GROUP BY event_id, user_id) AS per
                """
            )
            #expect(try dispatched[0].decode("pairs", as: Int.self) == firings * Self.recipientsPerReminder)
            #expect(try dispatched[0].decode("most", as: Int.self) == 1)
            // Nothing doubled: one outcome per delivery in the log, one inbox row per in-app delivery.
            let doubledOutcomes = try await postgres.query(
                """
                SELECT count(*) AS doubled FROM (
                    SELECT event_id, user_id, channel FROM sag_reminder_logs
                     WHERE status IN ('sent', 'dry_run') GROUP BY event_id, user_id, channel HAVING count(*) > 1
                ) AS d
                """
            )
            #expect(try doubledOutcomes[0].decode("doubled", as: Int.self) == 0)
            #expect(try await count(postgres, "sag_reminder_inbox") == firings * Self.recipientsPerReminder)
            #expect(try await count(postgres, "sag_reminder_deliveries", where: "status NOT IN ('dry_run', 'sent')") == 0)
        }
    }

    /// Waits until `role` has done some of the load's work since it (re)started.
    static func waitForWork(of role: String, fleet: ServiceFleet) async throws {
        let (metric, labels): (String, [String: String]) = switch role {
        case "relay": ("reminders_outbox_published_total", [:])
        case "scheduler": ("reminders_scheduler_fired_total", [:])
        case "gateway": ("hb_requests", [:])
        default: ("reminders_messages_processed_total", [:])
        }
        let working = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            (await fleet.metric(role, metric, labels: labels) ?? 0) > 0
        }
        #expect(working, "\(role) did no work: \(fleet.process(role)?.outputText.suffix(2000) ?? "")")
    }

    /// Reads an event stream and says when it opens and closes.
    static let streamReader = """
    import sys, urllib.request
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=120) as response:
            print("stream open", response.status, flush=True)
            for line in response:
                pass
        print("stream closed", flush=True)
    except Exception as error:
        print("stream failed", error, flush=True)
    """
}

/// Flips cases between `ny` and `i_gang` in a loop, firing their status
/// reminders, until stopped.
final class StatusChangeLoad: Sendable {
    private let postgres: PostgresClient
    private let cases: [Int]
    private let stopped = Atomic<Bool>(false)
    private let made = Atomic<Int>(0)

    init(postgres: PostgresClient, cases: [Int]) {
        self.postgres = postgres
        self.cases = cases
    }

    var changes: Int { made.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func run() async throws {
        while !stopped.load(ordering: .relaxed) {
            for sag in cases {
                try await postgres.query("UPDATE sag_sager SET status = 'ny' WHERE id = $1", [sag])
                try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
                made.add(1, ordering: .relaxed)
            }
            // Pacing, not synchronisation: about 40 firings a second.
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
