import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Postgres
import ReminderGateway

/// `GET /api/v1/reminders/pending/me` under load from wrk: requests/s and
/// latency percentiles of the gateway running in this process.
struct GatewayPending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway-pending",
        abstract: "pending/me requests/s and p99 with wrk at 50 connections (wrk must be installed)."
    )

    @Option(help: "Pending inbox entries of the measured user.") var entries = 20
    @Option(help: "Other users, each with as many entries (so the index has more than one user's rows).") var otherUsers = 500
    @Option(help: "wrk connections.") var connections = 50
    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "Seconds of load per wrk run.") var seconds = 10
    @Option(help: "The gateway's database pool size (the service's default is 8).") var poolSize = 8
    @Option(help: "Migrations folder.") var migrations = "migrations"

    func run() async throws {
        guard let wrk = findExecutable("wrk") else { throw BenchSetupError("wrk not found (Debian package wrk; scripts/bench.sh installs it)") }
        try await BenchDatabase.with(migrationsDirectory: migrations) { database in
            try await measure(database, wrk: wrk)
        }
    }

    private func measure(_ database: BenchDatabase, wrk: String) async throws {
        let userID = try await database.withClient { postgres in try await seed(postgres) }
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            var ports = listening.stream.makeAsyncIterator()
            guard let port = await ports.next() else { throw BenchSetupError("the gateway did not start") }
            let base = "http://127.0.0.1:\(port)"
            let authorization = "Authorization: Bearer \(token)"

            // Warm up: the pool opens its connections, the user lands in the gateway's cache.
            _ = try await runToEnd(wrk, ["-t\(threads)", "-c\(connections)", "-d2s", "-H", authorization, base + "/api/v1/reminders/pending/me"])

            let pending = try WrkResult(try await runToEnd(wrk, [
                "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-H", authorization, base + "/api/v1/reminders/pending/me",
            ]).output)
            report("gateway pending/me (\(entries) pending entries, \(connections) connections, \(threads) wrk threads, pool \(poolSize)): \(pending) [load \(loadAverage())]")

            // Where the time goes: the same server without the database, and the query without HTTP.
            let health = try WrkResult(try await runToEnd(wrk, [
                "-t\(threads)", "-c\(connections)", "-d\(max(3, seconds / 2))s", "--latency", base + "/healthz",
            ]).output)
            report("  for comparison, GET /healthz (no database, no token): \(health)")
        }
        try await database.withClient(maxConnections: poolSize) { postgres in
            let rate = try await queryRate(postgres, userID: userID)
            report("  for comparison, the pending query alone, \(connections) tasks over a pool of \(poolSize): \(format(rate, 0)) queries/s [load \(loadAverage())]")
        }
    }

    /// A user with `entries` pending inbox entries (each of its own reminder, as `pending`
    /// keeps one per reminder), and other users with as many.
    private func seed(_ postgres: PostgresClient) async throws -> Int {
        let users = otherUsers + 1
        try await postgres.query(
            "INSERT INTO users (username, email) SELECT 'user' || n, 'user' || n || '@example.test' FROM generate_series(1, $1) AS n", [users]
        )
        try await postgres.query("INSERT INTO sag_sager (titel) SELECT 'Case ' || n FROM generate_series(1, $1) AS n", [entries])
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, trigger_type, trigger_config, recipient_user_ids)
            SELECT id, 'Follow up ' || id, 'Call the customer about the case.', 'status_change', '{"target_status": "i_gang"}', '{}'
              FROM sag_sager
            """
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority, case_title)
            SELECT gen_random_uuid()::text || ':user:' || u.user_id || ':frontend', gen_random_uuid(), r.id, r.sag_id, u.user_id,
                   r.title, r.message, 'high', 'Case ' || r.sag_id
              FROM users u CROSS JOIN sag_reminders r
            """
        )
        try await postgres.query("ANALYZE")
        return try await postgres.query("SELECT min(user_id) AS id FROM users")[0].decode("id", as: Int.self)
    }

    /// The gateway's pending query run directly, `connections` at a time for 5 s.
    private func queryRate(_ postgres: PostgresClient, userID: Int) async throws -> Double {
        let sql = """
            SELECT * FROM (
                SELECT DISTINCT ON (reminder_id) id, reminder_id, sag_id, event_id::text AS event_id, title, message, priority,
                       case_title, created_at, snoozed_until,
                       (dismissed_at IS NULL AND acknowledged_at IS NULL
                        AND (snoozed_until IS NULL OR snoozed_until <= clock_timestamp())) AS is_pending
                  FROM sag_reminder_inbox
                 WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL
                 ORDER BY reminder_id, id DESC
            ) newest
             WHERE is_pending
             ORDER BY id DESC
             LIMIT 100
            """
        let end = ContinuousClock.now + .seconds(5)
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < end {
                        _ = try await postgres.query(sql, [userID])
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

/// What wrk printed: requests/s, latency percentiles and non-2xx answers.
struct WrkResult: CustomStringConvertible {
    var requestsPerSecond: Double
    var percentiles: [String: Double] = [:] // milliseconds, by "50%", "99%"
    var errors: String?

    init(_ output: String) throws {
        var rate: Double?
        for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), fields.count >= 2 {
                rate = Double(fields[1])
            } else if fields.count == 2, fields[0].hasSuffix("%"), let value = Self.milliseconds(fields[1]) {
                percentiles[fields[0]] = value
            } else if line.hasPrefix("Non-2xx") || line.hasPrefix("Socket errors") {
                errors = (errors.map { $0 + "; " } ?? "") + line
            }
        }
        guard let rate else { throw BenchSetupError("cannot read wrk's output:\n\(output)") }
        requestsPerSecond = rate
    }

    /// wrk's durations: `850.00us`, `4.12ms`, `1.02s`, `1.50m`.
    static func milliseconds(_ text: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            if let value = Double(text.dropLast(unit.count)) { return value * factor }
        }
        return nil
    }

    var description: String {
        let latency = ["50%", "90%", "99%"].compactMap { key in percentiles[key].map { "p\(key.dropLast()) \(format($0, 2)) ms" } }
        return "\(format(requestsPerSecond, 0)) requests/s, " + latency.joined(separator: ", ") + (errors.map { " (\($0))" } ?? "")
    }
}
