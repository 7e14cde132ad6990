import Foundation
import Spawn

/// A process the test starts and must not outlive: stopped at the latest when
/// the value is released. Its standard output and error are kept together.
final class ChildProcess: Sendable {
    let process: SpawnedProcess

    init(executable: String, arguments: [String], environment: [String: String]) throws {
        // Tests run many services at once: none opens the default health port
        // (which they would fight over) unless the test asks for one.
        process = try SpawnedProcess(
            executable: executable, arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(["METRICS_PORT": "0"].merging(environment) { _, new in new }) { _, new in new }
        )
    }

    var pid: Int32 { process.pid }

    /// Everything the process wrote to stdout and stderr so far.
    var outputText: String { String(decoding: process.output, as: UTF8.self) }

    /// What a failure message should show of the output: the start of a
    /// crash report if there is one (its crashing thread comes first, and
    /// the tail holds only registers and images), else the last lines.
    var outputForFailure: String {
        let text = outputText
        if let crash = text.range(of: "*** Program crashed") {
            let start = text.index(crash.lowerBound, offsetBy: -1500, limitedBy: text.startIndex) ?? text.startIndex
            return String(text[start...].prefix(6000))
        }
        return String(text.suffix(3000))
    }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// Waits for the process to exit, up to `timeout`; its exit status, or
    /// `nil` if it is still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        await process.waitForExit(timeout: timeout)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration, every interval: Duration = .milliseconds(20),
    _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
