import Foundation
import Postgres
import ReminderDomain
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
                    #expect(status == 0, "\(role) after SIGTERM: \(status.map { "exit \($0)" } ?? "still running after 10 s")\n\(process.outputForFailure)")
                    #expect(took < .seconds(10), "\(role) took \(took)")
                    print("graceful shutdown: \(role) exited \(status.map(String.init) ?? "-") after \(took) with \(load.changes) status changes made so far")
                    if role == "gateway" {
                        let ended = await eventually(timeout: .seconds(20)) { stream.outputText.contains("stream closed") }
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

    @Test("PostgreSQL unreachable: SIGTERM stops each service within 10 s, and a non-zero exit names what was cut short")
    func sigtermDuringDatabaseOutage() async throws {
        try await TestDatabase.with { database, postgres in
            // The services reach the database through a proxy the test can
            // kill: to them, PostgreSQL goes away; the test keeps its own way in.
            let target = URLComponents(string: database.url)!
            let proxyPort = try freePort()
            let proxy = try ChildProcess(
                executable: ProcessInfo.processInfo.environment["PYTHON"] ?? "python3",
                arguments: ["-u", "-c", Self.tcpProxy, String(proxyPort), target.host ?? "127.0.0.1", String(target.port ?? 5432)],
                environment: [:]
            )
            let listening = await eventually(timeout: .seconds(10)) { proxy.outputText.contains("proxy listening") }
            #expect(listening, "\(proxy.outputText)")
            var proxied = target
            proxied.port = proxyPort
            let fleet = try await ServiceFleet(databaseURL: proxied.string!)
            let user = try await Fixtures.user(postgres)
            let sag = try await Fixtures.caseRow(postgres)
            try await ServiceObservabilityTests.allChannelsReminder(postgres, sagID: sag, targetStatus: "i_gang", recipients: [user])
            try fleet.startAll()
            try await fleet.waitUntilReady()
            // The whole pipeline works: every consumer has joined its group.
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let delivered = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await count(postgres, "sag_reminder_deliveries", where: "status IN ('dry_run', 'sent')") >= 3
            }
            #expect(delivered)

            // The next firing's dispatch waits for the recipient's rate
            // window, which the test holds; then the database goes away under it.
            let (held, heldSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            async let holder: Void = postgres.withTransaction { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["reminder-rate:" + RecipientKey.user(user).description]
                )
                heldSignal.yield()
                for await _ in release { break }
            }
            for await _ in held { break }
            try await postgres.query("UPDATE sag_sager SET status = 'ny' WHERE id = $1", [sag])
            try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [sag])
            let waiting = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                try await Fixtures.advisoryLockWaiters(postgres) > 0
            }
            #expect(waiting, "the dispatcher never reached the held rate window")
            proxy.signal(SIGKILL)
            _ = await proxy.waitForExit(timeout: .seconds(5))
            releaseSignal.yield()
            try await holder
            let noticed = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                await fleet.get("relay", "/readyz")?.status != 200
            }
            #expect(noticed, "the relay still reports ready without its database")

            var exits: [String: Int32] = [:]
            for role in fleet.roles.map(\.name) {
                guard let process = fleet.process(role) else { continue }
                let signalled = ContinuousClock.now
                process.signal(SIGTERM)
                let status = await process.waitForExit(timeout: .seconds(10))
                let took = ContinuousClock.now - signalled
                print("shutdown during outage: \(role) exited \(status.map(String.init) ?? "-") after \(took)")
                #expect(status != nil, "\(role) still running 10 s after SIGTERM without its database\n\(process.outputForFailure)")
                exits[role] = status
                if let status, status != 0 {
                    let last = process.outputText.split(separator: "\n").last.map(String.init) ?? ""
                    #expect(last.hasPrefix("reminders ") && last.contains("cut short"), "\(role) exited \(status) with: \(last)")
                }
            }
            // The dispatcher held a firing it could not record: it cannot
            // claim a clean exit, unless its partition leases lapsed first
            // (on a loaded machine the outage can outlast the lease time):
            // then the firing, uncommitted, belongs to the next owner.
            let dispatcherOutput = fleet.process("dispatcher")?.outputText ?? ""
            let fenced = dispatcherOutput.contains("leases not renewed within the lease time")
            #expect(exits["dispatcher"].map { $0 != 0 } == true || fenced,
                    "dispatcher: \(exits)\n\(dispatcherOutput.suffix(3000))")
        }
    }

    /// Forwards TCP connections from a local port to a target until killed.
    static let tcpProxy = """
    import asyncio, sys
    listen_port, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except Exception:
            pass
        finally:
            writer.close()
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except Exception:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
        print("proxy listening", flush=True)
        await server.serve_forever()
    asyncio.run(main())
    """

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
