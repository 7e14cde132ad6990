/// Sends already-rendered messages to one SMTP server over libcurl.
///
/// The libcurl handle(s) are kept between sends, so one SMTP session (connection, TLS,
/// AUTH) serves many messages; libcurl opens a new one when the server closed it.
/// Sends run on the handles' own dispatch queues, never on Swift's cooperative pool.
public final class CurlSMTPClient: Sendable {
    private let configuration: SMTPConfiguration
    private let pool: CurlHandlePool

    /// Creates a client; the connection is opened by the first send.
    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
        self.pool = CurlHandlePool(capacity: configuration.maxConnections, label: "curl.smtp")
    }

    /// Sends one RFC 5322 message (already rendered, CRLF line endings) to `recipients`,
    /// with `from` as the envelope sender.
    /// - Throws: `CurlError` (see `isRetriable`: connection failures, time-outs and 4xx
    ///   replies are retriable; 5xx replies and refused credentials are not).
    public func send(from: String, recipients: [String], message: [UInt8]) async throws {
        let configuration = self.configuration
        try await pool.withHandle { handle, cancellation in
            try handle.performSMTPSend(
                configuration: configuration,
                from: from,
                recipients: recipients,
                message: message,
                cancellation: cancellation
            )
        }
    }
}
