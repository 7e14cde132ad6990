import Foundation
import Logging

/// Addresses and paths the integration tests read from the environment that
/// `scripts/test.sh` sets up.
enum TestEnvironment {
    static var databaseURL: String {
        ProcessInfo.processInfo.environment["DATABASE_URL"]
            ?? "postgresql://reminders:reminders@127.0.0.1:55432/reminders"
    }

    static var kafkaBootstrapServers: String {
        ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:59092"
    }

    /// The package root, found from this file's place in it.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var migrationsDirectory: String { packageRoot.appendingPathComponent("migrations").path }
    static var topicsDirectory: String { packageRoot.appendingPathComponent("topics").path }

    /// The `reminders` binary built beside the test bundle.
    static var remindersBinary: String {
        if let path = ProcessInfo.processInfo.environment["REMINDERS_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("reminders").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/reminders").path
    }

    /// The test broker's executable, for tests that need a broker of their own.
    static var tansuBinary: String? { ProcessInfo.processInfo.environment["TANSU_BIN"] }

    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// A short random suffix for names that must not collide between tests.
    static func uniqueSuffix() -> String {
        String(UUID().uuidString.lowercased().prefix(8))
    }
}
