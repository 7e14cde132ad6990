import ArgumentParser
import Foundation
import Postgres
import ReminderGateway
import ReminderStore

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
                let demo = try await DemoData.seed(through: postgres)
                let tokens = JSONWebToken(secret: settings.jwtSecret)
                let expiry = Date().addingTimeInterval(Double(hours) * 3600)
                let host = settings.gatewayHost == "0.0.0.0" ? "localhost" : settings.gatewayHost
                print("Cases: " + demo.cases.map { "\($0.title) (id \($0.id))" }.joined(separator: ", "))
                for user in demo.users {
                    let token = tokens.sign(userID: user.id, expiresAt: expiry)
                    print("\n\(user.name) (user_id \(user.id))")
                    print("  token: \(token)")
                    print("  demo:  http://\(host):\(settings.gatewayPort)/demo?sag_id=\(demo.cases[0].id)#token=\(token)")
                }
            }
        }
    }
}
