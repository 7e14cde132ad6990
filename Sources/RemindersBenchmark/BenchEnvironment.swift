import Dispatch
import Foundation
import Synchronization
import Logging
import Postgres
import ReminderStore

/// A fresh database for one benchmark run, migrated, dropped afterwards.
struct BenchDatabase {
    let url: String
    let name: String

    /// Runs `body` with a new migrated database, dropped afterwards whether
    /// `body` succeeded or not.
    static func with<R>(migrationsDirectory: String, _ body: (BenchDatabase) async throws -> R) async throws -> R {
        let database = try await create(migrationsDirectory: migrationsDirectory)
        do {
            let result = try await body(database)
            await database.drop()
            return result
        } catch {
            await database.drop()
            throw error
        }
    }

    static func create(migrationsDirectory: String) async throws -> BenchDatabase {
        let base = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgresql://reminders:reminders@127.0.0.1:55432/reminders"
        let name = "bench_" + String(UUID().uuidString.lowercased().prefix(8))
        let admin = try await PostgresConnection.connect(configuration: PostgresConfiguration(url: base), logger: quietLogger)
        defer { admin.close() }
        try await ScratchDatabase.create(name, through: admin)
        var components = URLComponents(string: base)!
        components.path = "/" + name
        let database = BenchDatabase(url: components.string!, name: name)
        _ = try await database.withClient { client in
            try await Migrator(postgres: client, logger: quietLogger).apply(try MigrationFile.load(fromDirectory: migrationsDirectory))
        }
        return database
    }

    /// `planning`: the measured role's own (its repository's `statementPlanning`).
    func withClient<R: Sendable>(
        maxConnections: Int = 8, planning: StatementPlanning = .forEachCall, _ body: @Sendable (PostgresClient) async throws -> R
    ) async throws -> R {
        var configuration = PostgresConfiguration(url: url)
        configuration.maxConnections = maxConnections
        configuration.statementPlanning = planning
        let client = PostgresClient(configuration: configuration, logger: quietLogger)
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// `drop()` for a process about to exit on a signal, from a thread outside Swift's
    /// cooperative pool: waits for it at most 5 s.
    func dropBeforeExit() {
        let dropped = DispatchSemaphore(value: 0)
        Task {
            await drop()
            dropped.signal()
        }
        _ = dropped.wait(timeout: .now() + 5)
    }

    func drop() async {
        let base = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgresql://reminders:reminders@127.0.0.1:55432/reminders"
        guard let admin = try? await PostgresConnection.connect(configuration: PostgresConfiguration(url: base), logger: quietLogger) else { return }
        defer { admin.close() }
        try? await ScratchDatabase.drop(name, through: admin)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    return logger
}()

var brokerAddress: String {
    ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:59092"
}

/// Percentiles of a sample, in its unit.
struct Summary {
    let sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }
    var median: Double { percentile(50) }
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// `1 run`, `3 runs`.
func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// A value shared between tasks under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }
}
