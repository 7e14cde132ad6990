import Foundation
import Spawn

/// A Python test sink from `Tests/Support` running as a child process.
public final class SinkProcess: Sendable {
    /// The port the sink listens on.
    public let port: Int
    private let process: SpawnedProcess
    private let stderrURL: URL

    private init(port: Int, process: SpawnedProcess, stderrURL: URL) {
        self.port = port
        self.process = process
        self.stderrURL = stderrURL
    }

    /// The folder holding the Python sinks, found relative to this source file.
    public static let supportDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Support")

    /// The interpreter to use: `$PYTHON`, default `python3` from `PATH`.
    public static var python: String {
        ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"
    }

    /// Starts `script` with `arguments` and waits (bounded) for its `PORT <n>` line.
    public static func start(script: String, arguments: [String], readyTimeout: Duration = .seconds(15)) async throws -> SinkProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        let stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("curl-sink-\(UUID().uuidString).stderr")
        let process = try SpawnedProcess(
            executable: "/usr/bin/env", arguments: [python, supportDirectory.appendingPathComponent(script).path] + arguments,
            environment: environment, standardOutput: .captured, standardError: .file(stderrURL.path)
        )
        let deadline = ContinuousClock.now + readyTimeout
        var line: String?
        while line == nil, process.isRunning, ContinuousClock.now < deadline {
            let output = process.output
            if let newline = output.firstIndex(of: UInt8(ascii: "\n")) {
                line = String(decoding: output[..<newline], as: UTF8.self)
            } else {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.signal(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(10))
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: stderrURL)
            throw SinkError(message: "\(script) did not report its port (got \(line.debugDescription)); stderr:\n\(stderr)")
        }
        return SinkProcess(port: port, process: process, stderrURL: stderrURL)
    }

    /// Terminates the sink (SIGTERM, then SIGKILL after a bounded wait) and waits for it to exit.
    public func stop() async {
        process.signal(SIGTERM)
        if await process.waitForExit(timeout: .seconds(3)) == nil {
            process.signal(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(10))
        }
        try? FileManager.default.removeItem(at: stderrURL)
    }
}

/// A sink could not be started or answered unexpectedly.
public struct SinkError: Error, CustomStringConvertible {
    /// What happened.
    public var message: String
    /// Creates an error.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Runs `body` with a started sink and stops the sink afterwards, whatever happens.
public func withSink<Result>(
    script: String,
    arguments: [String],
    _ body: (SinkProcess) async throws -> Result
) async throws -> Result {
    let sink = try await SinkProcess.start(script: script, arguments: arguments)
    do {
        let result = try await body(sink)
        await sink.stop()
        return result
    } catch {
        await sink.stop()
        throw error
    }
}

/// A loopback TCP port with nothing listening on it (bound once, then released).
public func unusedLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw SinkError(message: "socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw SinkError(message: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
