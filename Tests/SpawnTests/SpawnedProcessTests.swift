import Foundation
import Spawn
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Spawned processes", .timeLimit(.minutes(1)))
struct SpawnedProcessTests {
    static let environment = ["PATH": "/usr/bin:/bin"]

    @Test("the exit code, and standard output and error captured together")
    func exitCodeAndOutput() async throws {
        let process = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"], environment: Self.environment)
        #expect(await process.waitForExit(timeout: .seconds(10)) == 3)
        #expect(!process.wasSignalled)
        #expect(!process.isRunning)
        let output = String(decoding: process.output, as: UTF8.self)
        #expect(output.contains("out\n") && output.contains("err\n"), "\(output)")
    }

    @Test("a child ended by SIGTERM reports the signal, although this process may block SIGTERM")
    func endedBySignal() async throws {
        let process = try SpawnedProcess(executable: "/bin/sleep", arguments: ["30"], environment: Self.environment)
        #expect(process.isRunning)
        #expect(await process.waitForExit(timeout: .milliseconds(100)) == nil)
        process.signal(SIGTERM)
        #expect(await process.waitForExit(timeout: .seconds(10)) == SIGTERM)
        #expect(process.wasSignalled)
    }

    @Test("the exit is seen at once while something the child started still holds its output open")
    func exitSeenWhileOutputHeld() async throws {
        // Foundation's Process would count the shell as running as long as the
        // background sleep lives: it inherits the socket that reports the exit.
        let process = try SpawnedProcess(
            executable: "/bin/sh", arguments: ["-c", "sleep 30 & echo started"], environment: Self.environment, newProcessGroup: true
        )
        defer { process.signalGroup(SIGKILL) }
        let started = ContinuousClock.now
        #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(String(decoding: process.output, as: UTF8.self).contains("started"))
    }

    @Test("the child keeps no descriptor beyond its standard three, not even one this process left open on exec")
    func noInheritedDescriptors() async throws {
        var leaked: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &leaked) == 0)
        defer { leaked.forEach { close($0) } }
        let process = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], environment: Self.environment)
        #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        let descriptors = String(decoding: process.output, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(Set(descriptors) == ["0", "1", "2"], "\(descriptors), socket pair \(leaked)")
    }

    @Test("output to a file or discarded; exactly the environment given")
    func destinationsAndEnvironment() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let toFile = try SpawnedProcess(
            executable: "/bin/sh", arguments: ["-c", "echo \"$ONLY_THIS-${HOME:-unset}\"; echo hidden >&2"],
            environment: ["ONLY_THIS": "given"], standardOutput: .file(path), standardError: .discarded
        )
        #expect(await toFile.waitForExit(timeout: .seconds(10)) == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "given-unset\n")
        #expect(toFile.output.isEmpty)
    }

    @Test("standard error captured alone, standard output discarded")
    func errorCapturedAlone() async throws {
        let process = try SpawnedProcess(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], environment: Self.environment,
            standardOutput: .discarded, standardError: .captured
        )
        #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        #expect(String(decoding: process.output, as: UTF8.self) == "err\n")
    }

    @Test("waiting from synchronous code returns the status and the whole output")
    func blockingWait() throws {
        let process = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "seq 1 20000; exit 4"], environment: Self.environment)
        #expect(process.waitUntilExit() == 4)
        let lines = String(decoding: process.output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 20000 && lines.last == "20000")
    }

    @Test("released while running, the child is killed and reaped")
    func releasedChildIsKilled() async throws {
        var process: SpawnedProcess? = try SpawnedProcess(executable: "/bin/sleep", arguments: ["30"], environment: Self.environment)
        let pid = try #require(process?.pid)
        #expect(kill(pid, 0) == 0)
        process = nil
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "no process, not even a zombie")
    }

    @Test("an executable that does not exist is an error, not a child")
    func missingExecutable() {
        #expect(throws: SpawnError.self) {
            try SpawnedProcess(executable: "/nonexistent/program", arguments: [], environment: Self.environment)
        }
    }
}
