import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request as recorded by `http_sink.py`.
public struct RecordedRequest: Decodable, Sendable {
    /// The HTTP method.
    public var method: String
    /// The request path.
    public var path: String
    /// Header names and values, in order.
    public var headers: [[String]]
    /// The body as UTF-8 (lossy).
    public var body: String
    /// The body, base64.
    public var body_base64: String
    /// The client's TCP port.
    public var client_port: Int
    /// Which connection (1, 2, …) carried the request.
    public var connection: Int
    /// When the sink received it (seconds since 1970).
    public var received_at: Double?
    /// The sink's own check of a Standard Webhooks signature, once a secret is set.
    public var webhook_signature: WebhookSignatureCheck?

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }

    /// The raw body.
    public var bodyBytes: [UInt8] {
        Data(base64Encoded: body_base64).map { [UInt8]($0) } ?? []
    }
}

/// How `http_sink.py` judged a request's Standard Webhooks signature.
public struct WebhookSignatureCheck: Decodable, Sendable {
    /// The `standardwebhooks` package's verdict; `nil` when it is not installed.
    public var standardwebhooks: Bool?
    /// The verdict of a few lines of Python `hmac`.
    public var hmac: Bool
}

/// Client-side view of a running `http_sink.py`. Its control endpoints are
/// reached with Foundation's URLSession, so control traffic never counts
/// against the (libcurl) client under test.
public struct HTTPSink: Sendable {
    /// The sink's process.
    public let process: SinkProcess

    /// Creates a view of a running sink.
    public init(process: SinkProcess) {
        self.process = process
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(process.port)" }

    /// Replaces the response script with `json` (a JSON list of responses).
    public func setScript(_ json: String) async throws {
        let (status, _) = try await control(method: "POST", path: "/_control/script", body: Data(json.utf8))
        guard status == 204 else { throw SinkError(message: "setting the script failed: \(status)") }
    }

    /// From now on, checks each request's Standard Webhooks signature with `secret` (`whsec_…`).
    public func checkWebhookSignatures(secret: String) async throws {
        let (status, _) = try await control(method: "POST", path: "/_control/webhook_secret", body: Data(secret.utf8))
        guard status == 204 else { throw SinkError(message: "setting the webhook secret failed: \(status)") }
    }

    /// Every request recorded so far, oldest first.
    public func requests() async throws -> [RecordedRequest] {
        let (status, body) = try await control(method: "GET", path: "/_control/requests", body: nil)
        guard status == 200 else { throw SinkError(message: "reading the requests failed: \(status)") }
        return try JSONDecoder().decode([RecordedRequest].self, from: body)
    }

    private func control(method: String, path: String, body: Data?) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 10
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: SinkError(message: "control request \(path) failed: \(error)"))
                } else {
                    continuation.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
                }
            }.resume()
        }
    }
}

/// Runs `body` with a started `http_sink.py` and stops it afterwards.
public func withHTTPSink<Result>(_ body: (HTTPSink) async throws -> Result) async throws -> Result {
    try await withSink(script: "http_sink.py", arguments: ["--port", "0"]) { process in
        try await body(HTTPSink(process: process))
    }
}
