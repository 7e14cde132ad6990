/// Where and how a `CurlSMTPClient` delivers mail.
public struct SMTPConfiguration: Sendable {
    /// How the connection to the SMTP server is secured.
    public enum Security: Sendable, Hashable {
        /// Plain text (only for local relays and tests).
        case none
        /// Plain connect, then `STARTTLS`, which is required to succeed (port 587 style).
        case startTLS
        /// TLS from the first byte, `smtps://` (port 465 style).
        case implicitTLS
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The user to authenticate as; no `AUTH` is attempted when this is nil.
    public var username: String?
    /// The password for `username`; never included in errors.
    public var password: String?
    /// How the connection is secured.
    public var security: Security = .none
    /// The longest one send (connect, dialogue, upload) may take.
    public var timeout: Duration = .seconds(15)
    /// The longest establishing the connection may take.
    public var connectTimeout: Duration = .seconds(5)
    /// A PEM file of CA certificates (or a self-signed server certificate) to trust.
    /// It replaces libcurl's CA bundle file; a CA directory libcurl was built with still applies.
    public var caCertificatePath: String?
    /// Whether the server certificate and host name are verified; turn off only for tests.
    public var verifyPeer: Bool = true
    /// The name sent in `EHLO`; libcurl's default is used when nil.
    public var heloName: String?
    /// How many connections (libcurl handles) send at once; further sends wait for a free one.
    public var maxConnections: Int = 1

    /// Creates a configuration for a plain connection to `host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
