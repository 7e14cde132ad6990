import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server started from a shell command line (`/bin/sh -c`) in a process group of its own,
/// so that stopping it also stops what it started (uvicorn's worker processes, say): SIGTERM
/// to the group, SIGKILL to what is left after a bounded wait. Its output goes to a log file
/// whose end is shown when it fails to start.
///
/// Spawned directly rather than with `Process`, which can neither make a process group nor
/// unblock the signals this process blocks (a child that inherits a blocked SIGTERM ignores it).
final class ProcessGroupServer: Sendable {
    /// The process `sh -c` runs in; also the id of the group.
    let pid: pid_t
    /// Where its standard output and standard error go.
    let logPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `command` with exactly `environment`.
    init(command: String, environment: [String: String], name: String) throws {
        logPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("reminders-bench-\(name)-\(UUID().uuidString.prefix(8)).log").path

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var child: pid_t = 0
        let status = Self.withCStrings(["/bin/sh", "-c", command]) { arguments in
            Self.withCStrings(environment.map { "\($0.key)=\($0.value)" }) { variables in
                posix_spawn(&child, "/bin/sh", &actions, &attributes, arguments, variables)
            }
        }
        guard status == 0 else { throw BenchSetupError("cannot start /bin/sh for the \(name) command: \(String(cString: strerror(status)))") }
        pid = child
    }

    /// Whether the command's own process still runs (what it started may outlive it).
    var isRunning: Bool { reap() == nil }

    /// How the command's own process ended, once it has: `exit 1`, `signal 9`.
    var exitDescription: String? {
        reap().map { status in
            let signal = status & 0x7f
            return signal == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(signal)"
        }
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

    /// Collects the command's own process once it has exited, so it leaves no zombie and the
    /// group check below sees it gone.
    private func reap() -> Int32? {
        exitStatus.withLock { exitStatus in
            if exitStatus == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { exitStatus = status }
            }
            return exitStatus
        }
    }

    private func groupIsGone() -> Bool {
        _ = reap()
        return kill(-pid, 0) != 0 && errno == ESRCH
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
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
