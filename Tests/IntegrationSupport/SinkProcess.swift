import Foundation

/// A Python test sink from `Tests/Support` running as a child process.
///
/// `@unchecked Sendable`: `Process` is only started in `start` and stopped in `stop`.
public final class SinkProcess: @unchecked Sendable {
    /// The port the sink listens on.
    public let port: Int
    private let process: Process
    private let stderrURL: URL

    private init(port: Int, process: Process, stderrURL: URL) {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, supportDirectory.appendingPathComponent(script).path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let stdout = Pipe()
        process.standardOutput = stdout
        let stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("curl-sink-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()

        let reader = stdout.fileHandleForReading
        let line: String? = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { await readFirstLine(reader) }
            group.addTask {
                try await Task.sleep(for: readyTimeout)
                return nil
            }
            let first = try await group.next() ?? nil
            if first == nil {
                // Unblocks the reader thread with end-of-file.
                kill(process.processIdentifier, SIGKILL)
            }
            group.cancelAll()
            return first
        }

        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw SinkError(message: "\(script) did not report its port (got \(line.debugDescription)); stderr:\n\(stderr)")
        }
        return SinkProcess(port: port, process: process, stderrURL: stderrURL)
    }

    /// Reads one line on a dedicated thread, since `FileHandle` reads block.
    private static func readFirstLine(_ handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes.append(contentsOf: chunk)
                    if bytes.contains(UInt8(ascii: "\n")) { break }
                }
                guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
                    continuation.resume(returning: nil)
                    return
                }
                continuation.resume(returning: String(decoding: bytes[..<newline], as: UTF8.self))
            }
            thread.start()
        }
    }

    /// Terminates the sink (SIGTERM, then SIGKILL after a bounded wait) and waits for it to exit.
    public func stop() async {
        if process.isRunning {
            process.terminate()
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
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
