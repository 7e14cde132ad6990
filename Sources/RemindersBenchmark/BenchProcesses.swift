import Foundation
import Spawn
#if canImport(Glibc)
import Glibc
#endif

/// A server the benchmark runs as a child process (smtp-sink, nginx), stopped
/// when the run ends.
final class ChildProcess: Sendable {
    private let process: SpawnedProcess
    let name: String

    /// Starts `executable` with `arguments`; its output goes to this process's stderr
    /// only when BENCH_LOG_LEVEL asks for it.
    init(_ executable: String, _ arguments: [String], name: String) throws {
        self.name = name
        let shown = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] != nil
        process = try SpawnedProcess(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            standardOutput: shown ? .inherited : .discarded, standardError: shown ? .inherited : .discarded
        )
    }

    var isRunning: Bool { process.isRunning }

    /// The sinks keep no state worth a clean exit.
    func stop() {
        guard process.isRunning else { return }
        process.signal(SIGKILL)
        _ = process.waitUntilExit()
    }

    deinit { stop() }
}

/// Runs a program to its end (bounded by `limit`) and returns its standard output.
func runToEnd(_ executable: String, _ arguments: [String], limit: Duration = .seconds(600)) async throws -> (status: Int32, output: String) {
    let process = try SpawnedProcess(
        executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
        standardOutput: .captured, standardError: .inherited
    )
    guard let status = await process.waitForExit(timeout: limit) else {
        throw BenchSetupError("\(executable) still runs after \(limit); stopped")
    }
    return (status, String(decoding: process.output, as: UTF8.self))
}

/// The first of `names` found on PATH or in the usual system folders.
func findExecutable(_ names: String...) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
    for name in names {
        if name.hasPrefix("/") { if FileManager.default.isExecutableFile(atPath: name) { return name } else { continue } }
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
    }
    return nil
}

struct BenchSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A loopback TCP port nothing listens on right now (the kernel picks it).
func freeLoopbackPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw BenchSetupError("socket() failed") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw BenchSetupError("cannot bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits (bounded) until something accepts connections on 127.0.0.1:`port`.
func waitForLoopbackPort(_ port: Int, name: String, process: ChildProcess? = nil, within limit: Duration = .seconds(10)) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let process, !process.isRunning {
            throw BenchSetupError("\(name) exited before listening on 127.0.0.1:\(port) (BENCH_LOG_LEVEL=debug shows its output)")
        }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(socket)
        if connected { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw BenchSetupError("\(name) does not answer on 127.0.0.1:\(port) after \(limit)")
}

/// Prints a line and flushes it at once, also when stdout is a pipe (bench.sh's log).
func report(_ line: String) {
    print(line)
    fflush(nil)
}

/// The 1-, 5- and 15-minute load averages, for printing beside a figure.
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}
