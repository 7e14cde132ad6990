/// Settings of a `CurlHTTPClient`.
public struct CurlHTTPClientConfiguration: Sendable {
    /// The longest a whole request (connect, send, receive) may take.
    public var timeout: Duration = .seconds(10)
    /// The longest establishing the TCP (and TLS) connection may take.
    public var connectTimeout: Duration = .seconds(3)
    /// How many requests run at once; each runs on its own libcurl handle and thread,
    /// further requests wait for a free one.
    public var maxConcurrentRequests: Int = 8
    /// The `User-Agent` header sent with every request.
    public var userAgent: String = "case-reminders"

    /// Creates the default configuration.
    public init() {}
}
