/// A small HTTP/1.1 client over libcurl for webhook-style calls.
///
/// Requests run on a pool of kept-alive libcurl handles (at most
/// `maxConcurrentRequests` at once), each on its own dispatch queue, so connections are
/// reused across requests and no blocking call runs on Swift's cooperative pool.
/// Redirects are not followed.
public final class CurlHTTPClient: Sendable {
    private let configuration: CurlHTTPClientConfiguration
    private let pool: CurlHandlePool

    /// Creates a client; handles and connections are opened on first use.
    public init(configuration: CurlHTTPClientConfiguration = .init()) {
        self.configuration = configuration
        self.pool = CurlHandlePool(capacity: configuration.maxConcurrentRequests, label: "curl.http")
    }

    /// POSTs `body` with the given headers; returns any HTTP status (non-2xx is NOT an error).
    /// - Throws: `CurlError` on transport failures and time-outs, `CancellationError` if the task is cancelled.
    public func post(url: String, body: [UInt8], headers: [CurlHeader]) async throws -> CurlHTTPResponse {
        try await perform(CurlHTTPRequest(method: .post, url: url, headers: headers, body: body))
    }

    /// POSTs `body` to `url`, connecting to `address` (IPv4 dotted or IPv6 text, no
    /// brackets) instead of what DNS answers for the URL's host: the address checked
    /// beforehand is the one used, so DNS rebinding between check and connection
    /// cannot redirect the request. TLS still verifies the URL's host name.
    /// - Throws: `CurlError` on transport failures and time-outs, `CancellationError` if the task is cancelled.
    public func post(url: String, body: [UInt8], headers: [CurlHeader], host: String, port: Int, pinnedTo address: String) async throws -> CurlHTTPResponse {
        let entryAddress = address.contains(":") ? "[\(address)]" : address
        var request = CurlHTTPRequest(method: .post, url: url, headers: headers, body: body)
        request.resolve = ["\(host):\(port):\(entryAddress)"]
        return try await perform(request)
    }

    /// POSTs a JSON document with `Content-Type: application/json`; returns any HTTP status.
    /// - Throws: `CurlError` on transport failures and time-outs.
    public func postJSON(url: String, json: [UInt8]) async throws -> CurlHTTPResponse {
        try await post(url: url, body: json, headers: [CurlHeader(name: "Content-Type", value: "application/json")])
    }

    /// GETs `url`; returns any HTTP status (non-2xx is NOT an error).
    /// - Throws: `CurlError` on transport failures and time-outs.
    public func get(url: String, headers: [CurlHeader] = []) async throws -> CurlHTTPResponse {
        try await perform(CurlHTTPRequest(method: .get, url: url, headers: headers, body: []))
    }

    private func perform(_ request: CurlHTTPRequest) async throws -> CurlHTTPResponse {
        let configuration = self.configuration
        return try await pool.withHandle { handle, cancellation in
            try handle.performHTTP(request, configuration: configuration, cancellation: cancellation)
        }
    }
}
