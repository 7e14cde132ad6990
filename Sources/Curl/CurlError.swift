/// The one error type of the `Curl` module: a failed HTTP request or SMTP send.
///
/// Its `description` never contains credentials: messages come from libcurl's error
/// buffer (which does not echo passwords) and are scrubbed of the configured password anyway.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members (`.timeout`, …).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case transport, timeout, tls, authentication, rejected, configuration
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The connection could not be established or broke (refused, reset, DNS failure, …).
        public static let transport = Code(.transport)
        /// A connect or whole-operation time-out elapsed.
        public static let timeout = Code(.timeout)
        /// TLS could not be negotiated or the peer certificate was not trusted.
        public static let tls = Code(.tls)
        /// The server refused the credentials.
        public static let authentication = Code(.authentication)
        /// The server answered with an SMTP error reply (see `responseCode`).
        public static let rejected = Code(.rejected)
        /// The request itself is invalid (bad URL, bad header, unsupported option).
        public static let configuration = Code(.configuration)

        /// The code's name, e.g. `timeout`.
        public var description: String { kind.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The underlying libcurl `CURLcode`, when the failure came from libcurl.
    public var curlCode: Int32?
    /// The last SMTP reply code when known (e.g. 535, 550, 451).
    public var responseCode: Int?
    /// A human-readable explanation; never contains a password.
    public var message: String
    /// Whether the same request may succeed when tried again later.
    public var isRetriable: Bool

    /// Creates an error; prefer the module's own factories, this exists for tests and mocks.
    public init(code: Code, curlCode: Int32? = nil, responseCode: Int? = nil, message: String, isRetriable: Bool) {
        self.code = code
        self.curlCode = curlCode
        self.responseCode = responseCode
        self.message = message
        self.isRetriable = isRetriable
    }

    /// A one-line summary: code, libcurl code, reply code and message.
    public var description: String {
        var parts = ["CurlError(\(code)"]
        if let curlCode { parts.append("curlCode: \(curlCode)") }
        if let responseCode { parts.append("responseCode: \(responseCode)") }
        parts.append("retriable: \(isRetriable))")
        return parts.joined(separator: ", ") + ": " + message
    }
}
