import ArgumentParser
import Curl
import Foundation
import Hummingbird
import Logging
import Postgres
import ReminderGateway
import ReminderStore
import ServiceLifecycle

/// `GET /api/v1/reminders/pending/me` under load from wrk: requests/s and latency
/// percentiles of the gateway running in this process, alone or in alternating rounds with
/// another server on the same data (`--peer-command`, see `GatewayPending+Peer.swift`).
struct GatewayPending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway-pending",
        abstract: "pending/me requests/s and p99 with wrk at 50 connections (wrk must be installed), alone or beside another server.",
        discussion: """
            With --peer-command the command is run by /bin/sh, in a process group of its own, once the data \
            is seeded. Its environment is this one's plus DATABASE_URL (the benchmark's database), JWT_SECRET \
            (HS256, user id in sub), HOST (127.0.0.1), PORT (a free port) and DATABASE_POOL_SIZE (the \
            gateway's --pool-size); JWT_ISSUER and JWT_AUDIENCE are removed. Once it answers pending/me with \
            200 and as many entries as the gateway, each round runs wrk on the gateway, then on the peer. \
            At the end the peer's group gets SIGTERM, and SIGKILL 10 s later if anything is left.
            """
    )

    @Option(help: "Pending inbox entries of the measured user.") var entries = 20
    @Option(help: "Other users, each with as many entries (so the index has more than one user's rows).") var otherUsers = 500
    @Option(help: "wrk connections.") var connections = 50
    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "Seconds of load per wrk run.") var seconds = 10
    @Option(help: "Measured wrk runs of each server; the summary gives their medians.") var rounds = 3
    @Option(help: "The gateway's database pool size (the service's default is 8).") var poolSize = 8
    @Option(help: "A shell command starting another server on the same data, measured in rounds alternating with the gateway's (see the overview).")
    var peerCommand: String?
    @Option(help: "The peer's name in the output.") var peerName = "peer"
    @Option(help: "Seconds to wait for the peer to answer pending/me like the gateway.") var peerWait = 60
    @Option(help: "Migrations folder.") var migrations = "migrations"

    /// The route measured.
    static let path = "/api/v1/reminders/pending/me"
    /// The most entries the gateway returns in one answer (its inbox page size).
    static let pageSize = 100

    func validate() throws {
        guard entries >= 1, otherUsers >= 0 else { throw ValidationError("--entries must be at least 1, --other-users at least 0") }
        guard seconds >= 1, rounds >= 1, connections >= 1, threads >= 1, connections >= threads else {
            throw ValidationError("--seconds, --rounds, --connections and --threads must be at least 1, and --connections at least --threads")
        }
        guard poolSize >= 1, peerWait >= 1 else { throw ValidationError("--pool-size and --peer-wait must be at least 1") }
    }

    func run() async throws {
        guard let wrk = findExecutable("wrk") else { throw BenchSetupError("wrk not found (Debian package wrk; scripts/bench.sh installs it)") }
        // Before anything of this run adds to it.
        let loadAtStart = loadAverage()
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await measure(database, wrk: wrk, loadAtStart: loadAtStart)
        }
    }

    private func measure(_ database: BenchDatabase, wrk: String, loadAtStart: String) async throws {
        let (userID, settings) = try await database.withClient { postgres in
            (try await seed(postgres), try await Self.durabilitySettings(postgres))
        }
        let secret = "bench-" + UUID().uuidString
        let token = JSONWebToken(secret: secret).sign(userID: userID, expiresAt: Date().addingTimeInterval(3600))

        var postgresConfiguration = PostgresConfiguration(url: database.url)
        postgresConfiguration.maxConnections = poolSize
        let postgres = PostgresClient(configuration: postgresConfiguration, logger: quietLogger)
        var configuration = GatewayConfiguration(jwtSecret: secret)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let listening = AsyncStream<Int>.makeStream()
        let app = try buildApplication(
            postgres: postgres, configuration: configuration, logger: quietLogger,
            onServerRunning: { port in listening.continuation.yield(port) }
        )
        // Stopped gracefully at the end: cancelled, the server logged errors about the
        // connections it was closing.
        var groupConfiguration = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [], logger: quietLogger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        let gateway = ServiceGroup(configuration: groupConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await gateway.run() }
            defer { group.cancelAll() }
            var ports = listening.stream.makeAsyncIterator()
            guard let port = await ports.next() else { throw BenchSetupError("the gateway did not start") }
            do {
                try await measureOverHTTP(gatewayAt: "http://127.0.0.1:\(port)", token: token, secret: secret, database: database, wrk: wrk, settings: settings, loadAtStart: loadAtStart)
            } catch {
                await gateway.triggerGracefulShutdown()
                throw error
            }
            await gateway.triggerGracefulShutdown()
            try await group.next()
        }
        guard peerCommand == nil else { return }
        try await database.withClient(maxConnections: poolSize) { postgres in
            let rate = try await queryRate(postgres, userID: userID)
            report("  for comparison, the pending query alone, \(connections) tasks over a pool of \(poolSize): \(format(rate, 0)) queries/s [load \(loadAverage())]")
        }
    }

    /// Everything measured through HTTP, with the gateway listening at `base`.
    private func measureOverHTTP(
        gatewayAt base: String, token: String, secret: String, database: BenchDatabase, wrk: String, settings: String, loadAtStart: String
    ) async throws {
        // Every seeded entry must be pending (of a live reminder, not dismissed or snoozed),
        // or the run measures a shorter answer than it says.
        let http = CurlHTTPClient()
        let ours = try await Self.fetchPending(http, url: base + Self.path, token: token)
        guard ours.status == 200, let answer = ours.answer, answer.count == min(entries, Self.pageSize) else {
            throw BenchSetupError(
                "the gateway answers pending/me with \(ours.status) and \(ours.answer?.count ?? 0) entries, expected \(min(entries, Self.pageSize)): the seed no longer matches the pending query"
            )
        }

        report(
            "gateway pending/me (\(entries) pending entries, \(connections) connections, \(threads) wrk threads, \(seconds) s per run, \(plural(rounds, "round")), pool \(poolSize))"
                + " [PostgreSQL \(settings); load at the start \(loadAtStart)]"
        )
        if let peerCommand {
            try await compare(
                gatewayURL: base + Self.path, gatewayAnswer: answer, peerCommand: peerCommand,
                token: token, secret: secret, database: database, http: http, wrk: wrk
            )
            return
        }

        // Warm up: the pool opens its connections, the user lands in the gateway's cache.
        try await warmUp(wrk, url: base + Self.path, token: token)
        var runs: [WrkResult] = []
        for round in 1...rounds {
            let run = try await load(wrk, url: base + Self.path, token: token, seconds: seconds)
            runs.append(run)
            report("  round \(round)/\(rounds): \(run) [load \(loadAverage())]")
        }
        report("  medians of \(plural(rounds, "run")): \(WrkMedians(runs))")

        // Where the time goes: the same server without the database, and the query without HTTP.
        let health = try await load(wrk, url: base + "/healthz", token: nil, seconds: max(3, seconds / 2))
        report("  for comparison, GET /healthz (no database, no token): \(health)")
    }

    /// A user with `entries` pending inbox entries (each of its own reminder, as `pending`
    /// keeps one per reminder), and other users with as many.
    private func seed(_ postgres: PostgresClient) async throws -> Int {
        let fixtures = BenchmarkFixtures(postgres: postgres)
        try await fixtures.addUsers(count: otherUsers + 1)
        try await fixtures.addCases(count: entries)
        // Live reminders: pending/me leaves out the entries of a reminder someone stopped
        // (`stopped_at`), so every entry must point at one that is active and not stopped.
        try await fixtures.addPendingInboxEntries()
        try await fixtures.analyzeAll()
        return try await fixtures.firstUserID()
    }

    /// PostgreSQL's durability settings, printed with the figures: with `fsync` or
    /// `synchronous_commit` off (as on the local stack) commits cost less than in production.
    static func durabilitySettings(_ postgres: PostgresClient) async throws -> String {
        let settings = try await BenchmarkFixtures(postgres: postgres).durabilitySettings()
        return "fsync \(settings.fsync), synchronous_commit \(settings.synchronousCommit)"
    }

    /// GETs pending/me with the token: the status, and the entries when it is 200 with a JSON
    /// array of objects (else a few words on what came).
    static func fetchPending(_ http: CurlHTTPClient, url: String, token: String) async throws -> (status: Int, answer: PendingAnswer?, detail: String) {
        // Connection: close, so no idle connection is left open that would hold up the gateway's shutdown.
        let response = try await http.get(url: url, headers: [
            CurlHeader(name: "Authorization", value: "Bearer \(token)"), CurlHeader(name: "Connection", value: "close"),
        ])
        guard response.status == 200 else {
            return (response.status, nil, "HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do {
            return (response.status, try PendingAnswer(json: response.body), "")
        } catch {
            return (response.status, nil, "HTTP 200, \(error)")
        }
    }

    /// Two seconds of the same load, not measured: pools open their connections, caches fill.
    func warmUp(_ wrk: String, url: String, token: String) async throws {
        _ = try await runToEnd(wrk, ["-t\(threads)", "-c\(connections)", "-d2s", "-H", "Authorization: Bearer \(token)", url])
    }

    /// One measured wrk run, with `--latency` for the percentiles.
    func load(_ wrk: String, url: String, token: String?, seconds: Int) async throws -> WrkResult {
        let authorization = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
        return try WrkResult(try await runToEnd(wrk, ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency"] + authorization + [url]).output)
    }

    /// The gateway's pending query (the store's own, so it stays in step) run directly,
    /// `connections` at a time for 5 s.
    private func queryRate(_ postgres: PostgresClient, userID: Int) async throws -> Double {
        let fixtures = BenchmarkFixtures(postgres: postgres)
        let end = ContinuousClock.now + .seconds(5)
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < end {
                        try await fixtures.readPendingEntries(userID: userID, limit: Self.pageSize)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - start).seconds
    }
}
