import Curl
import Foundation

/// One request as recorded by `http_sink.py`.
struct RecordedRequest: Decodable {
    var method: String
    var path: String
    var headers: [[String]]
    var body: String
    var body_base64: String
    var client_port: Int
    var connection: Int

    func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }

    var bodyBytes: [UInt8] {
        Data(base64Encoded: body_base64).map { [UInt8]($0) } ?? []
    }
}

/// Client-side view of a running `http_sink.py`; talks to its control endpoints through a
/// separate client so control traffic never counts against the client under test.
struct HTTPSink {
    let process: SinkProcess
    let control = CurlHTTPClient()

    var baseURL: String { "http://127.0.0.1:\(process.port)" }

    /// Replaces the response script with `json` (a JSON list of responses).
    func setScript(_ json: String) async throws {
        let response = try await control.post(url: baseURL + "/_control/script", body: Array(json.utf8), headers: [])
        guard response.status == 204 else { throw SinkError(message: "setting the script failed: \(response.status)") }
    }

    /// Every request recorded so far, oldest first.
    func requests() async throws -> [RecordedRequest] {
        let response = try await control.get(url: baseURL + "/_control/requests")
        return try JSONDecoder().decode([RecordedRequest].self, from: Data(response.body))
    }
}

func withHTTPSink<Result>(_ body: (HTTPSink) async throws -> Result) async throws -> Result {
    try await withSink(script: "http_sink.py", arguments: ["--port", "0"]) { process in
        try await body(HTTPSink(process: process))
    }
}
