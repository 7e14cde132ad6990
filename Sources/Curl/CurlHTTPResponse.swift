/// A complete HTTP response: any status (non-2xx is not an error), headers and body.
public struct CurlHTTPResponse: Sendable {
    /// The HTTP status code, e.g. 200 or 429.
    public var status: Int
    /// The header fields of the final response, in the order received.
    public var headers: [CurlHeader]
    /// The raw response body.
    public var body: [UInt8]

    /// Creates a response; the client builds these, this exists for tests and mocks.
    public init(status: Int, headers: [CurlHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field named `name`, compared case-insensitively
    /// (HTTP field names are case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
