import Foundation
import Testing

@Suite("Misconfigured services exit with one clear line", .timeLimit(.minutes(1)))
struct ConfigurationErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var arguments: [String]
        var environment: [String: String]
        var mentions: String
    }

    static let cases: [Case] = [
        Case(description: "missing DATABASE_URL", arguments: ["relay"], environment: ["DATABASE_URL": ""], mentions: "DATABASE_URL"),
        Case(
            description: "unreachable database", arguments: ["relay"],
            environment: ["DATABASE_URL": "postgresql://reminders:sekret-pw@127.0.0.1:1/reminders"], mentions: "127.0.0.1:1"
        ),
        Case(
            description: "unreachable broker", arguments: ["relay"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"], mentions: "127.0.0.1:1"
        ),
        Case(description: "invalid number", arguments: ["migrate"], environment: ["REMINDERS_MAX_PER_USER_PER_HOUR": "many"], mentions: "REMINDERS_MAX_PER_USER_PER_HOUR"),
        Case(description: "invalid switch", arguments: ["relay"], environment: ["REMINDERS_DRY_RUN": "maybe"], mentions: "REMINDERS_DRY_RUN"),
        Case(description: "invalid digest switch", arguments: ["scheduler"], environment: ["REMINDERS_HELD_DIGEST": "sometimes"], mentions: "REMINDERS_HELD_DIGEST"),
        Case(
            description: "closing status with a quote", arguments: ["scheduler"],
            environment: ["REMINDERS_CASE_CLOSED_STATUSES": "afsluttet,it's over"], mentions: "REMINDERS_CASE_CLOSED_STATUSES"
        ),
        Case(
            description: "session timeout too short", arguments: ["dispatcher"],
            environment: ["KAFKA_SESSION_TIMEOUT_MS": "10"], mentions: "KAFKA_SESSION_TIMEOUT_MS"
        ),
        Case(description: "short JWT secret", arguments: ["gateway"], environment: ["JWT_SECRET": "sekret-pw"], mentions: "at least 32"),
        Case(
            description: "placeholder JWT secret", arguments: ["gateway"],
            environment: ["JWT_SECRET": "dev-only-jwt-secret-NOT-FOR-PRODUCTION"], mentions: "placeholder"
        ),
        Case(
            description: "webhooks sent without the key that opens their secrets", arguments: ["worker", "webhook"],
            environment: ["REMINDERS_WEBHOOK_ENABLED": "true", "REMINDERS_DRY_RUN": "false"], mentions: "REMINDERS_WEBHOOK_SECRET_KEY"
        ),
        Case(
            description: "a webhook key that is not 32 bytes of base64 (and is not echoed)", arguments: ["gateway"],
            environment: ["REMINDERS_WEBHOOK_SECRET_KEY": "sekret-pw", "JWT_SECRET": String(repeating: "k", count: 40) + "-configuration-test"],
            mentions: "REMINDERS_WEBHOOK_SECRET_KEY"
        ),
        Case(
            description: "replication factor of zero", arguments: ["topics"],
            environment: ["KAFKA_TOPIC_REPLICATION_FACTOR": "0"], mentions: "KAFKA_TOPIC_REPLICATION_FACTOR"
        ),
    ]

    @Test("exits non-zero with one line naming the problem", arguments: cases)
    func oneClearLine(_ testCase: Case) async throws {
        var environment = ["DATABASE_URL": TestEnvironment.databaseURL, "KAFKA_BOOTSTRAP_SERVERS": TestEnvironment.kafkaBootstrapServers]
        environment.merge(testCase.environment) { _, new in new }
        let process = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: testCase.arguments, environment: environment)
        let status = await process.waitForExit(timeout: .seconds(30))
        let lines = process.outputText.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(status != nil, "still running after 30 s")
        #expect(status != 0)
        #expect(lines.count == 1, "expected one line, got: \(process.outputText)")
        #expect(lines.first?.contains(testCase.mentions) == true, "\(process.outputText)")
        #expect(!process.outputText.contains("sekret-pw"))
    }
}
