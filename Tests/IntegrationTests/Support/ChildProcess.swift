import Foundation

/// A process the test starts and must not outlive: stopped at the latest when
/// the value is released.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var captured = Data()

    init(executable: String, arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Tests run many services at once: none opens the default health port
        // (which they would fight over) unless the test asks for one.
        process.environment = ProcessInfo.processInfo.environment.merging(["METRICS_PORT": "0"].merging(environment) { _, new in new }) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.captured.append(data)
            self.lock.unlock()
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the process wrote to stdout and stderr so far.
    var outputText: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: captured, as: UTF8.self)
    }

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

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to exit, up to `timeout`; its exit status, or
    /// `nil` if it is still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Let the pipe drain what the process wrote last.
        try? await Task.sleep(for: .milliseconds(50))
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
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
