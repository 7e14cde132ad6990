import Curl
import Foundation

/// Every long-running role of the `reminders` binary as a child process, each
/// with its own health port, against one test database and topic prefix.
final class ServiceFleet: @unchecked Sendable {
    /// A role: its sub-command and how to reach its health endpoints.
    struct Role: Sendable {
        let name: String
        let arguments: [String]
        let port: Int
        var baseURL: String { "http://127.0.0.1:\(port)" }
    }

    let roles: [Role]
    let environment: [String: String]
    private let lock = NSLock()
    private var processes: [String: ChildProcess] = [:]
    private let http = CurlHTTPClient()

    static let roleArguments: [(String, [String])] = [
        ("relay", ["relay"]), ("scheduler", ["scheduler"]), ("dispatcher", ["dispatcher"]),
        ("email", ["worker", "email"]), ("mattermost", ["worker", "mattermost"]),
        ("gateway", ["gateway"]),
    ]

    /// Creates the topics under a new prefix; starts nothing yet.
    init(databaseURL: String, extraEnvironment: [String: String] = [:]) async throws {
        var roles: [Role] = []
        for (name, arguments) in Self.roleArguments { roles.append(Role(name: name, arguments: arguments, port: try freePort())) }
        self.roles = roles
        environment = [
            "DATABASE_URL": databaseURL,
            "KAFKA_TOPIC_PREFIX": "test-fleet-\(TestEnvironment.uniqueSuffix()).",
            "REMINDERS_ENABLED": "true", "REMINDERS_EMAIL_ENABLED": "true", "REMINDERS_MATTERMOST_ENABLED": "true",
            "REMINDERS_DRY_RUN": "true", "REMINDERS_MAX_PER_USER_PER_HOUR": "10000",
            "JWT_SECRET": "fleet-test-" + UUID().uuidString + UUID().uuidString, "LOG_LEVEL": "info",
        ].merging(extraEnvironment) { $1 }
        let topics = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: ["topics"], environment: environment)
        guard await topics.waitForExit(timeout: .seconds(60)) == 0 else {
            throw TestSetupError("reminders topics failed: \(topics.outputText)")
        }
    }

    func role(_ name: String) -> Role { roles.first { $0.name == name }! }

    func process(_ name: String) -> ChildProcess? { lock.withLock { processes[name] } }

    /// Starts `name` (again), with `extra` variables on top of the fleet's.
    func start(_ name: String, extra: [String: String] = [:]) throws {
        let role = role(name)
        var environment = self.environment.merging(extra) { $1 }
        environment[name == "gateway" ? "GATEWAY_PORT" : "METRICS_PORT"] = "\(role.port)"
        let process = try ChildProcess(executable: TestEnvironment.remindersBinary, arguments: role.arguments, environment: environment)
        lock.withLock { processes[name] = process }
    }

    func startAll() throws {
        for role in roles { try start(role.name) }
    }

    /// GETs `path` from the role's health port; `nil` when nothing answers.
    func get(_ name: String, _ path: String) async -> (status: Int, text: String)? {
        guard let response = try? await http.get(url: role(name).baseURL + path) else { return nil }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Waits until every role's `/readyz` answers 200.
    func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        for role in roles {
            let ready = await eventually(timeout: timeout, every: .milliseconds(100)) {
                await self.get(role.name, "/readyz")?.status == 200
            }
            guard ready else {
                let answer = await get(role.name, "/readyz")
                throw TestSetupError("\(role.name) not ready: \(answer.map { "\($0.status) \($0.text)" } ?? "no answer")\n\(process(role.name)?.outputText ?? "")")
            }
        }
    }

    /// The sum of every sample of metric `name` whose labels include `labels`.
    func metric(_ role: String, _ name: String, labels: [String: String] = [:]) async -> Double? {
        guard let scraped = await get(role, "/metrics"), scraped.status == 200 else { return nil }
        return PrometheusText.sum(of: name, labels: labels, in: scraped.text)
    }

    func stopAll() async {
        let all = lock.withLock { Array(processes.values) }
        for process in all { process.signal(SIGTERM) }
        for process in all { _ = await process.waitForExit(timeout: .seconds(15)) }
    }
}

/// Reads samples out of the Prometheus text exposition format.
enum PrometheusText {
    /// Sum of the samples named exactly `name` (labels filtered by `labels`);
    /// `nil` when there is none.
    static func sum(of name: String, labels: [String: String], in text: String) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let metricName: Substring
            var sampleLabels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{") {
                metricName = series[..<brace]
                let body = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
                for pair in body.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { sampleLabels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            } else {
                metricName = series
            }
            guard metricName == name, labels.allSatisfy({ sampleLabels[$0.key] == $0.value }) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}
