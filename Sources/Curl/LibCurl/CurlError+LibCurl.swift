internal import CCurl

extension CurlError {
    /// Classifies a failed transfer.
    ///
    /// - Parameters:
    ///   - smtp: whether `result.responseCode` is an SMTP reply code worth reporting.
    ///   - secret: a password to scrub from the message, should libcurl ever echo it.
    static func from(_ result: CurlPerformResult, smtp: Bool, secret: String? = nil) -> CurlError {
        let code = CURLcode(rawValue: UInt32(bitPattern: result.curlCode))
        let reply: Int? = smtp && result.responseCode > 0 ? result.responseCode : nil
        var message = result.message
        if let secret, !secret.isEmpty {
            message = message.replacingAll(secret, with: "<redacted>")
        }
        func error(_ kind: Code, retriable: Bool) -> CurlError {
            CurlError(code: kind, curlCode: result.curlCode, responseCode: reply, message: message, isRetriable: retriable)
        }

        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return error(.timeout, retriable: true)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return error(.transport, retriable: true)
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return error(.authentication, retriable: false)
        case CURLE_SSL_CONNECT_ERROR:
            // A handshake cut short is usually the network or an overloaded server.
            return error(.tls, retriable: true)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_USE_SSL_FAILED:
            // Certificates and TLS support do not fix themselves: needs operator attention.
            return error(.tls, retriable: false)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
             CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION, CURLE_FAILED_INIT,
             CURLE_OUT_OF_MEMORY:
            return error(.configuration, retriable: false)
        default:
            // The server answered with an error reply (MAIL/RCPT/DATA refused, 421 …):
            // 4xx is transient by definition, 5xx permanent.
            if let reply, (400..<500).contains(reply) {
                return error(.rejected, retriable: true)
            }
            if let reply, (500..<600).contains(reply) {
                return error(.rejected, retriable: false)
            }
            // Connection reset, closed early, garbled reply: the network or the peer.
            return error(.transport, retriable: true)
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
