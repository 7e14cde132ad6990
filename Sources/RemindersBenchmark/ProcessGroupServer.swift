import Dispatch
import Foundation
import Spawn
#if canImport(Glibc)
import Glibc
#endif

/// A server started from a shell command line (`/bin/sh -c`) in a process group of its own,
/// so that stopping it also stops what it started (uvicorn's worker processes, say): SIGTERM
/// to the group, SIGKILL to what is left after a bounded wait. Its output goes to a log file
/// whose end is shown when it fails to start.
final class ProcessGroupServer: Sendable {
    /// The process `sh -c` runs in; also the id of the group.
    var pid: pid_t { shell.pid }
    /// Where its standard output and standard error go.
    let logPath: String
    private let shell: SpawnedProcess

    /// Starts `command` with exactly `environment`.
    init(command: String, environment: [String: String], name: String) throws {
        logPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("reminders-bench-\(name)-\(UUID().uuidString.prefix(8)).log").path
        do {
            shell = try SpawnedProcess(
                executable: "/bin/sh", arguments: ["-c", command], environment: environment,
                standardOutput: .file(logPath), newProcessGroup: true
            )
        } catch {
            throw BenchSetupError("cannot start /bin/sh for the \(name) command: \(error)")
        }
    }

    /// Whether the command's own process still runs (what it started may outlive it).
    var isRunning: Bool { shell.isRunning }

    /// How the command's own process ended, once it has: `exit 1`, `signal 9`.
    var exitDescription: String? {
        shell.exitStatus.map { shell.wasSignalled ? "signal \($0)" : "exit \($0)" }
    }

    /// SIGTERM to the group, SIGKILL to what is left after `grace`; waits, bounded, until
    /// nothing of the group is left. Returns how it went, for the report. Removes the log.
    func stop(grace: Duration = .seconds(10)) async -> String {
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let start = ContinuousClock.now
        guard !groupIsGone() else { return "had already exited (\(exitDescription ?? "?"))" }
        kill(-pid, SIGTERM)
        while ContinuousClock.now - start < grace {
            if groupIsGone() { return "SIGTERM, gone after \(format((ContinuousClock.now - start).seconds, 1)) s" }
            try? await Task.sleep(for: .milliseconds(100))
        }
        kill(-pid, SIGKILL)
        let killed = ContinuousClock.now
        while ContinuousClock.now - killed < .seconds(5), !groupIsGone() {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return "still running \(grace) after SIGTERM, so SIGKILL" + (groupIsGone() ? "" : "; some of it still runs (process group \(pid))")
    }

    /// The same without waiting on a task, for an interrupted benchmark about to exit.
    func stopNow() {
        guard !groupIsGone() else { return }
        kill(-pid, SIGTERM)
        for _ in 0..<30 where !groupIsGone() { usleep(100_000) }
        if !groupIsGone() { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The last `lines` lines of its output.
    func logTail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Stops the group, then runs `alsoBeforeExit`, when this process gets SIGINT or SIGTERM,
    /// until the returned watch is cancelled: the group is not in the terminal's foreground
    /// group, so Ctrl-C would leave it running.
    func stopOnInterrupt(alsoBeforeExit: @escaping @Sendable () -> Void = {}) -> InterruptWatch {
        InterruptWatch(signals: [SIGINT, SIGTERM]) { [self] in
            stopNow()
            alsoBeforeExit()
        }
    }

    /// Collects the command's own process first, so a zombie of it does not count.
    private func groupIsGone() -> Bool {
        _ = shell.isRunning
        return kill(-pid, 0) != 0 && errno == ESRCH
    }

    /// Runs a clean-up and exits when one of `signals` arrives, until cancelled.
    /// (Dispatch sources are thread-safe; they are only resumed and cancelled here.)
    final class InterruptWatch: @unchecked Sendable {
        private let sources: [any DispatchSourceSignal]
        private let signals: [Int32]

        init(signals: [Int32], cleanUp: @escaping @Sendable () -> Void) {
            self.signals = signals
            sources = signals.map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    cleanUp()
                    exit(128 + number)
                }
                source.resume()
                return source
            }
        }

        /// Puts the signals' default handling back.
        func cancel() {
            sources.forEach { $0.cancel() }
            signals.forEach { signal($0, SIG_DFL) }
        }
    }
}
