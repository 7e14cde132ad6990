import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderGateway
import Testing

/// No client can pin a connection: oversized bodies, half-sent heads, too
/// many streams, and streams outliving their token. The hang tests use a raw
/// socket from Python, as a real client would, against a listening gateway.
@Suite("Gateway connections", .timeLimit(.minutes(2)))
struct GatewayConnectionTests {
    struct Probe: Decodable {
        var status: Int?
        var first_ms: Double?
        var closed_ms: Double?
        var error: String?
    }

    /// Runs the socket probe in `mode` against the gateway on `port`.
    static func probe(_ mode: String, port: Int, token: String = "", path: String = "/healthz") async throws -> Probe {
        let process = try ChildProcess(
            executable: ProcessInfo.processInfo.environment["PYTHON"] ?? "python3",
            arguments: ["-u", "-c", socketProbe, mode, String(port), token, path],
            environment: [:]
        )
        guard await process.waitForExit(timeout: .seconds(20)) == 0 else {
            throw TestSetupError("probe \(mode) failed: \(process.outputText)")
        }
        let line = process.outputText.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Probe.self, from: Data(line.utf8))
    }

    @Test("a 10 MB body: 413 and the connection closed in seconds, not after the idle timeout, with Connection: close, keep-alive, chunked or no token",
          arguments: ["close", "keep-alive", "chunked", "no-token"])
    func oversizedBodies(mode: String) async throws {
        try await GatewayHarness.with(.live) { gateway, client in
            let alice = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let port = try #require(client.port)
            let result = try await Self.probe(mode, port: port, token: gateway.token(alice), path: "/api/v1/sag/\(sag)/reminders")
            let allowed: Set<Int> = mode == "no-token" ? [401, 413] : [413]
            #expect(result.status.map(allowed.contains) == true, "\(mode): \(result)")
            // Well inside the 30 s idle timeout the gateway would otherwise wait for; not
            // tighter, as a full parallel run on two cores measured 1.1 s for the answer.
            #expect((result.first_ms ?? .infinity) < 10_000, "\(mode): answered after \(result.first_ms ?? -1) ms")
            #expect((result.closed_ms ?? .infinity) < 15_000, "\(mode): closed after \(result.closed_ms ?? -1) ms")
        }
    }

    @Test("a client that sends half a request head and stops is closed within the idle timeout")
    func halfHead() async throws {
        try await GatewayHarness.with(.live, configure: { $0.idleTimeout = .seconds(1) }) { _, client in
            let port = try #require(client.port)
            let result = try await Self.probe("half-head", port: port)
            #expect(result.status == nil, "\(result)")
            let closed = try #require(result.closed_ms, "never closed: \(result)")
            // After the 1 s idle timeout, and long before the default 30 s; the upper bound has
            // slack for a full parallel run on two cores.
            #expect(closed >= 900 && closed < 15_000, "closed after \(closed) ms")
        }
    }

    @Test("a user's 11th stream with a cap of 10 gets 429 problem+json; another user still connects")
    func streamCapPerUser() async throws {
        try await GatewayHarness.with(streamLifetime: .seconds(10), configure: { $0.maximumStreamsPerUser = 10 }) { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask { _ = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(alice))") }
                }
                let open = await eventually(timeout: .seconds(8)) { gateway.notifier.subscriberCount == 10 }
                #expect(open)
                let eleventh = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(alice))")
                #expect(eleventh.status == .tooManyRequests)
                #expect(eleventh.isProblem)
                #expect(eleventh.headers[.retryAfter] != nil)
                group.addTask { _ = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(bob))") }
                let bobIn = await eventually(timeout: .seconds(8)) { gateway.notifier.subscriberCount == 11 }
                #expect(bobIn)
                try await group.waitForAll()
            }
            #expect(gateway.notifier.subscriberCount == 0)
        }
    }

    @Test("the gateway-wide stream cap answers 429 too")
    func streamCapTotal() async throws {
        try await GatewayHarness.with(streamLifetime: .seconds(8), configure: { $0.maximumStreams = 2 }) { gateway, client in
            let users = [try await gateway.user(), try await gateway.user(), try await gateway.user()]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in users.prefix(2) {
                    group.addTask { _ = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(user))") }
                }
                #expect(await eventually(timeout: .seconds(6)) { gateway.notifier.subscriberCount == 2 })
                let third = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(users[2]))")
                #expect(third.status == .tooManyRequests)
                try await group.waitForAll()
            }
        }
    }

    @Test("a stream ends when its token expires, long before the stream's lifetime")
    func streamEndsWithToken() async throws {
        try await GatewayHarness.with(streamLifetime: .seconds(60), heartbeat: .milliseconds(200)) { gateway, client in
            let alice = try await gateway.user()
            // `exp` is whole seconds: the token has between 2 and 3 s left when it is made.
            let token = gateway.token(alice, expiresIn: 3)
            let started = ContinuousClock.now
            let response = try await client.call(.get, "/api/v1/reminders/stream/me?token=\(token)")
            let took = ContinuousClock.now - started
            #expect(response.status == .ok)
            #expect(response.text.contains(": connected"))
            #expect(response.text.contains(": heartbeat"), "the stream closed before its first heartbeat: \(took)")
            #expect(took >= .milliseconds(1000) && took < .seconds(15), "the stream lasted \(took) (its lifetime is 60 s)")
        }
    }

    /// Speaks raw HTTP/1.1 and prints one JSON line: the status, when the first byte of the answer
    /// came and when the server closed (ms after the request head was sent).
    static let socketProbe = #"""
    import json, socket, sys, threading, time
    mode, port, token, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    auth = f"Authorization: Bearer {token}\r\n" if mode != "no-token" else ""
    size = 10 * 1000 * 1000
    if mode == "half-head":
        head = "GET /healthz HTTP/1.1\r\nHost: probe\r\n"
    elif mode == "chunked":
        head = f"POST {path} HTTP/1.1\r\nHost: probe\r\n{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    else:
        connection = "close" if mode == "close" else "keep-alive"
        head = (f"POST {path} HTTP/1.1\r\nHost: probe\r\n{auth}Content-Type: application/json\r\n"
                f"Content-Length: {size}\r\nConnection: {connection}\r\n\r\n")
    s.sendall(head.encode())
    sent_at = time.monotonic()
    def send_body():
        chunk = b"x" * 65536
        try:
            if mode == "chunked":
                for _ in range(size // len(chunk)):
                    s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                s.sendall(b"0\r\n\r\n")
            elif mode != "half-head":
                for _ in range(size // len(chunk)):
                    s.sendall(chunk)
        except OSError:
            pass
    threading.Thread(target=send_body, daemon=True).start()
    result, data = {}, b""
    try:
        while True:
            piece = s.recv(65536)
            if not piece:
                result["closed_ms"] = (time.monotonic() - sent_at) * 1000
                break
            if not data:
                result["first_ms"] = (time.monotonic() - sent_at) * 1000
            data += piece
    except socket.timeout:
        result["error"] = "no close within 10 s"
    except OSError as error:
        result["closed_ms"] = (time.monotonic() - sent_at) * 1000
        result["error"] = str(error)
    if data.startswith(b"HTTP/1.1 "):
        result["status"] = int(data[9:12])
    print(json.dumps(result))
    """#
}
