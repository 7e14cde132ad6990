import ArgumentParser
import Foundation
import Postgres
import ReminderGateway

/// `reminders demo-data`: a few users, cases and reminders to try the gateway with, and a
/// token (and demo link) per user.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Create demo users, cases and reminders (idempotent per user name) and print a JWT per user."
    )

    @Option(help: "How long the printed tokens stay valid, in hours.")
    var hours = 24

    func run() async throws {
        try await reportingFailures(of: "demo-data") {
            let settings = try Settings()
            guard !settings.jwtSecret.isEmpty else { throw SettingsError("JWT_SECRET is not set; it signs the demo tokens") }
            guard (1...24 * 365).contains(hours) else { throw SettingsError("--hours must be from 1 to 8760") }
            let logger = makeLogger(label: "reminders.demo-data", settings: settings)
            let postgresConfiguration = PostgresConfiguration(url: try settings.requireDatabaseURL())
            try await checkDatabase(postgresConfiguration, logger: logger)
            let postgres = PostgresClient(configuration: postgresConfiguration, logger: logger)
            let hours = self.hours
            try await withPostgres(postgres) {
                let users = try await Self.createUsers(postgres)
                let cases = try await Self.createCases(postgres)
                try await Self.createReminders(postgres, cases: cases, users: users)
                let tokens = JSONWebToken(secret: settings.jwtSecret)
                let expiry = Date().addingTimeInterval(Double(hours) * 3600)
                let host = settings.gatewayHost == "0.0.0.0" ? "localhost" : settings.gatewayHost
                print("Cases: " + cases.map { "\($0.title) (id \($0.id))" }.joined(separator: ", "))
                for user in users {
                    let token = tokens.sign(userID: user.id, expiresAt: expiry)
                    print("\n\(user.name) (user_id \(user.id))")
                    print("  token: \(token)")
                    print("  demo:  http://\(host):\(settings.gatewayPort)/demo?sag_id=\(cases[0].id)#token=\(token)")
                }
            }
        }
    }

    private static func createUsers(_ postgres: PostgresClient) async throws -> [(id: Int, name: String)] {
        var users: [(Int, String)] = []
        for (name, fullName) in [("demo-anna", "Anna Demo"), ("demo-bo", "Bo Demo"), ("demo-carla", "Carla Demo")] {
            let rows = try await postgres.query(
                """
                INSERT INTO users (username, full_name, email) VALUES ($1, $2, $3)
                ON CONFLICT (username) DO UPDATE SET is_active = TRUE
                RETURNING user_id
                """,
                [name, fullName, "\(name)@example.com"]
            )
            users.append((try rows[0].decode("user_id"), name))
        }
        return users
    }

    private static func createCases(_ postgres: PostgresClient) async throws -> [(id: Int, title: String)] {
        var cases: [(Int, String)] = []
        for (title, days) in [("Demo: server migration", 3), ("Demo: printer replacement", 10)] {
            let existing = try await postgres.query("SELECT id FROM sag_sager WHERE titel = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1", [title])
            if let row = existing.first {
                cases.append((try row.decode("id"), title))
                continue
            }
            let rows = try await postgres.query(
                "INSERT INTO sag_sager (titel, status, deadline) VALUES ($1, 'ny', now() + make_interval(days => $2)) RETURNING id",
                [title, days]
            )
            cases.append((try rows[0].decode("id"), title))
        }
        return cases
    }

    private static func createReminders(_ postgres: PostgresClient, cases: [(id: Int, title: String)], users: [(id: Int, name: String)]) async throws {
        let existing = try await postgres.query("SELECT count(*) AS n FROM sag_reminders WHERE sag_id = $1", [cases[0].id])
        guard try existing[0].decode("n", as: Int.self) == 0 else { return }
        let everyone = users.map(\.id)
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids, created_by_user_id)
            VALUES ($1, 'Case is in progress', 'Someone started working on the server migration.', 'high', 'status_change',
                    '{"target_status": "i_gang"}', $2, $3)
            """,
            [cases[0].id, everyone, users[0].id]
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, message, priority, trigger_type, trigger_config, recipient_user_ids,
                                       recurrence_type, scheduled_at, created_by_user_id)
            VALUES ($1, 'Daily status check', 'Look at the printer case.', 'low', 'time_based', '{}', $2, 'daily',
                    date_trunc('day', now()) + interval '1 day 8 hours', $3)
            """,
            [cases[1].id, [users[1].id], users[0].id]
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, priority, trigger_type, trigger_config, recipient_user_ids, created_by_user_id)
            VALUES ($1, 'Deadline tomorrow', 'urgent', 'deadline_approaching', '{"hours_before": 24}', $2, $3)
            """,
            [cases[0].id, everyone, users[0].id]
        )
    }
}
