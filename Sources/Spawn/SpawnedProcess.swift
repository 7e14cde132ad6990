import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Not Foundation's `Process`: on Linux that learns of a child's exit only
/// when a socket the child inherited reports end-of-file. The socket is opened
/// without close-on-exec, so a child another thread starts at the same moment
/// can inherit it too, and then the first child counts as running for as long
/// as the second lives. Here the exit is what `waitpid` says, and the child
/// keeps no descriptor beyond its standard three.
public final class SpawnedProcess: Sendable {
    /// Where one of the child's output streams goes.
    public enum Destination: Sendable {
        /// Kept in memory, readable through ``output``.
        case captured
        /// Appended to a file, created if missing.
        case file(String)
        /// Discarded (`/dev/null`).
        case discarded
        /// This process's own stream of the same number.
        case inherited
    }

    /// The child's process id; with `newProcessGroup`, also its group's.
    public let pid: pid_t
    private let status = Mutex<Int32?>(nil)
    private let capture: OutputCapture?

    /// Starts `executable` (a path; no `PATH` search) with exactly `environment`.
    /// Standard input is `/dev/null`; standard error goes where standard output
    /// goes unless `standardError` names its own destination. Signals this
    /// process blocks or ignores are reset for the child. With
    /// `newProcessGroup`, the child leads a group of its own, so that
    /// `signalGroup` reaches what it starts.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        standardOutput: Destination = .captured, standardError: Destination? = nil, newProcessGroup: Bool = false
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        // Captured output comes through a pipe whose ends close on exec; the
        // child gets the write end as its fd 1 (and 2), which dup2 leaves open.
        var pipeEnds: [Int32] = [-1, -1]
        if [standardOutput, standardError].contains(where: { if case .captured = $0 { true } else { false } }) {
            guard pipe(&pipeEnds) == 0 else { throw SpawnError("cannot make a pipe: \(String(cString: strerror(errno)))") }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        Self.direct(&actions, fd: 1, to: standardOutput, pipeWriteEnd: pipeEnds[1])
        if let standardError {
            Self.direct(&actions, fd: 2, to: standardError, pipeWriteEnd: pipeEnds[1])
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        Self.closeTheRest(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var child: pid_t = 0
        let result = withCStrings([executable] + arguments) { argv in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
                posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            }
        }
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard result == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw SpawnError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        capture = pipeEnds[0] >= 0 ? OutputCapture(reading: pipeEnds[0]) : nil
    }

    /// How the child ended, once it has: its exit code, or the number of the
    /// signal that ended it (as Foundation's `terminationStatus` reports it).
    /// `nil` while it runs.
    public var exitStatus: Int32? {
        reap().map { raw in raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f }
    }

    /// Whether the child was ended by a signal (`exitStatus` is then its number).
    public var wasSignalled: Bool {
        reap().map { $0 & 0x7f != 0 } ?? false
    }

    /// Whether the child still runs.
    public var isRunning: Bool { reap() == nil }

    /// What the child wrote to its captured streams so far.
    public var output: Data { capture?.bytes ?? Data() }

    /// Sends `signal` to the child, if it has not been reaped.
    public func signal(_ signal: Int32) {
        status.withLock { status in
            if status == nil { _ = kill(pid, signal) }
        }
    }

    /// Sends `signal` to the child's process group (see `newProcessGroup`).
    public func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Waits, up to `timeout`, for the child to exit and for its captured
    /// output to end (briefly: something it started may still hold it open).
    /// Its ``exitStatus``, or `nil` if it still runs.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let drained = ContinuousClock.now + .milliseconds(500)
        while capture?.isOpen == true, ContinuousClock.now < drained {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return exitStatus
    }

    /// Waits for the child to exit, blocking the calling thread: for short
    /// tools run from synchronous code. Then as ``waitForExit(timeout:)``.
    public func waitUntilExit() -> Int32 {
        // Blocks outside the lock, so that `signal` (which may be what ends
        // the child) is never held up by it.
        while reap() == nil {
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, 0)
            if result == pid {
                status.withLock { status in
                    if status == nil { status = raw }
                }
            } else if result == -1, errno != EINTR, errno != ECHILD {
                break
            }
        }
        for _ in 0..<100 where capture?.isOpen == true { usleep(5_000) }
        return exitStatus ?? -1
    }

    deinit {
        // Never leave a child behind, nor a zombie.
        status.withLock { status in
            guard status == nil else { return }
            _ = kill(pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1, errno == EINTR {}
            status = raw
        }
    }

    /// Collects the child's exit status once it has exited (never blocks).
    private func reap() -> Int32? {
        status.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
            }
            return status
        }
    }

    private static func direct(_ actions: inout posix_spawn_file_actions_t, fd: Int32, to destination: Destination, pipeWriteEnd: Int32) {
        switch destination {
        case .captured:
            posix_spawn_file_actions_adddup2(&actions, pipeWriteEnd, fd)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .discarded:
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
        case .inherited:
            break
        }
    }

    /// Closes every descriptor from 3 up in the child, whatever opened it
    /// (glibc 2.34 and later; elsewhere only close-on-exec ones close).
    private static func closeTheRest(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }
}

/// Reads a child's captured output on a thread of its own until end-of-file.
private final class OutputCapture: Sendable {
    private let state = Mutex<(bytes: Data, isOpen: Bool)>((Data(), true))

    init(reading descriptor: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    state.withLock { $0.bytes.append(contentsOf: buffer[0..<count]) }
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(descriptor)
            state.withLock { $0.isOpen = false }
        }
        thread.start()
    }

    var bytes: Data { state.withLock { $0.bytes } }
    var isOpen: Bool { state.withLock { $0.isOpen } }
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
