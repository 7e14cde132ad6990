import Foundation

/// Envelope data stored by `smtp_sink.py` next to each message.
struct SpooledMeta: Decodable {
    var mail_from: String
    var rcpt_tos: [String]
    var peer: [JSONScalar]?
    var tls: Bool
    var auth_user: String?

    /// The client's TCP port: equal ports mean one connection carried both messages.
    var peerPort: Int? {
        guard let peer, peer.count == 2, case .number(let port) = peer[1] else { return nil }
        return port
    }
}

enum JSONScalar: Decodable {
    case string(String)
    case number(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}

/// One message the sink accepted.
struct SpooledMessage {
    var meta: SpooledMeta
    var raw: [UInt8]
}

/// Client-side view of a running `smtp_sink.py` and its spool folder.
struct SMTPSink {
    let process: SinkProcess
    let spool: URL

    var port: Int { process.port }

    /// The accepted messages, in arrival order.
    func messages() throws -> [SpooledMessage] {
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
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curl-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func withSMTPSink<Result>(arguments: [String] = [], _ body: (SMTPSink) async throws -> Result) async throws -> Result {
    let spool = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: spool) }
    return try await withSink(script: "smtp_sink.py", arguments: ["--port", "0", "--spool", spool.path] + arguments) { process in
        try await body(SMTPSink(process: process, spool: spool))
    }
}

/// A self-signed certificate for `localhost` / `127.0.0.1`, made with the `openssl` tool.
struct SelfSignedCertificate {
    let directory: URL
    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
    var keyPath: String { directory.appendingPathComponent("key.pem").path }

    static func make() throws -> SelfSignedCertificate {
        let directory = try makeTemporaryDirectory()
        let certificate = SelfSignedCertificate(directory: directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SinkError(message: "openssl req failed with status \(process.terminationStatus)")
        }
        return certificate
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
