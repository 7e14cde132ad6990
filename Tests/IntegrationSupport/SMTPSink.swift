import Foundation
import Spawn

/// Envelope data stored by `smtp_sink.py` next to each message.
public struct SpooledMeta: Decodable, Sendable {
    /// The envelope sender.
    public var mail_from: String
    /// The envelope recipients.
    public var rcpt_tos: [String]
    /// The client's host and port.
    public var peer: [JSONScalar]?
    /// Whether the session was encrypted.
    public var tls: Bool
    /// The authenticated user, if any.
    public var auth_user: String?

    /// The client's TCP port: equal ports mean one connection carried both messages.
    public var peerPort: Int? {
        guard let peer, peer.count == 2, case .number(let port) = peer[1] else { return nil }
        return port
    }
}

/// A string or a whole number in the sink's JSON.
public enum JSONScalar: Decodable, Sendable {
    case string(String)
    case number(Int)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}

/// One message the sink accepted.
public struct SpooledMessage: Sendable {
    /// The envelope.
    public var meta: SpooledMeta
    /// The DATA bytes.
    public var raw: [UInt8]
}

extension SpooledMessage {
    /// The value of the first header called `name` (case-insensitive), read from the raw
    /// header section without starting a parser: enough for plain ASCII headers such as
    /// Message-ID. Folded continuation lines are joined.
    public func header(_ name: String) -> String? {
        let text = String(decoding: raw, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? text
        var value: String?
        for line in head.components(separatedBy: "\r\n") {
            if value != nil {
                if line.first == " " || line.first == "\t" { value! += line; continue }
                break
            }
            if line.lowercased().hasPrefix(name.lowercased() + ":") {
                value = String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
        }
        return value
    }
}

/// Client-side view of a running `smtp_sink.py` and its spool folder.
public struct SMTPSink: Sendable {
    /// The sink's process.
    public let process: SinkProcess
    /// Where it stores messages.
    public let spool: URL

    /// Creates a view of a sink spooling to `spool`.
    public init(process: SinkProcess, spool: URL) {
        self.process = process
        self.spool = spool
    }

    /// The port it listens on.
    public var port: Int { process.port }

    /// The accepted messages, in arrival order.
    public func messages() throws -> [SpooledMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: spool.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try names.map { name in
            let meta = try JSONDecoder().decode(SpooledMeta.self, from: Data(contentsOf: spool.appendingPathComponent(name)))
            let eml = spool.appendingPathComponent(String(name.dropLast(".json".count)) + ".eml")
            return SpooledMessage(meta: meta, raw: [UInt8](try Data(contentsOf: eml)))
        }
    }
}

/// A fresh temporary folder, removed by `removeTemporaryDirectory`.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curl-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `body` with a started `smtp_sink.py` and stops it afterwards.
public func withSMTPSink<Result>(arguments: [String] = [], _ body: (SMTPSink) async throws -> Result) async throws -> Result {
    let spool = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: spool) }
    return try await withSink(script: "smtp_sink.py", arguments: ["--port", "0", "--spool", spool.path] + arguments) { process in
        try await body(SMTPSink(process: process, spool: spool))
    }
}

/// A self-signed certificate for `localhost` / `127.0.0.1`, made with the `openssl` tool.
public struct SelfSignedCertificate: Sendable {
    /// The folder holding both files.
    public let directory: URL
    /// The certificate (PEM).
    public var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
    /// The private key (PEM).
    public var keyPath: String { directory.appendingPathComponent("key.pem").path }

    /// Makes a new certificate and key; waits (bounded) without holding a
    /// thread of the cooperative pool while `openssl` runs.
    public static func make() async throws -> SelfSignedCertificate {
        let directory = try makeTemporaryDirectory()
        let certificate = SelfSignedCertificate(directory: directory)
        let process = try SpawnedProcess(
            executable: "/usr/bin/env",
            arguments: [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
            ],
            environment: ProcessInfo.processInfo.environment, standardOutput: .discarded
        )
        let status = await process.waitForExit(timeout: .seconds(60))
        guard status == 0 else {
            throw SinkError(message: "openssl req failed with status \(status.map(String.init) ?? "none: still running after 60 s")")
        }
        return certificate
    }

    /// Deletes both files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
