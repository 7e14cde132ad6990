import Foundation

/// A broker of the test's own on a free loopback port, so a test may pause,
/// kill and restart it without disturbing the others.
final class TestBroker: @unchecked Sendable {
    let port: Int
    private(set) var process: ChildProcess

    var bootstrapServers: String { "127.0.0.1:\(port)" }

    static func start() async throws -> TestBroker {
        guard let binary = TestEnvironment.tansuBinary else {
            throw TestSetupError("TANSU_BIN is not set; run the tests through scripts/test.sh")
        }
        let port = try freePort()
        let broker = TestBroker(port: port, process: try launch(binary: binary, port: port))
        try await broker.waitUntilListening()
        return broker
    }

    private init(port: Int, process: ChildProcess) {
        self.port = port
        self.process = process
    }

    private static func launch(binary: String, port: Int) throws -> ChildProcess {
        try ChildProcess(
            executable: binary,
            arguments: [
                "broker",
                "--listener-url", "tcp://127.0.0.1:\(port)",
                "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
                "--storage-engine", "memory://tansu/",
            ],
            environment: [:]
        )
    }

    func pause() { process.signal(SIGSTOP) }
    func resume() { process.signal(SIGCONT) }

    /// Kills the broker; its memory storage (topics, offsets) is lost.
    func kill() async {
        process.signal(SIGKILL)
        _ = await process.waitForExit(timeout: .seconds(10))
    }

    /// Starts a new broker process on the same port.
    func restart() async throws {
        process = try Self.launch(binary: TestEnvironment.tansuBinary!, port: port)
        try await waitUntilListening()
    }

    private func waitUntilListening() async throws {
        let port = self.port
        let up = await eventually(timeout: .seconds(20)) { canConnect(port: port) }
        guard up else { throw TestSetupError("the test broker did not listen on \(port): \(process.outputText)") }
    }

    deinit { process.signal(SIGKILL) }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TestSetupError("bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
