internal import CCurl

extension CurlEasyHandle {
    /// Sends one message over SMTP on this handle (blocking). Reusing the handle for the next
    /// send reuses the open SMTP session when host, port and credentials are the same.
    func performSMTPSend(
        configuration: SMTPConfiguration,
        from: String,
        recipients: [String],
        message: [UInt8],
        cancellation: CurlCancellation
    ) throws {
        guard !recipients.isEmpty else {
            throw CurlError(code: .configuration, message: "an SMTP send needs at least one recipient", isRetriable: false)
        }
        for address in [from] + recipients where address.unicodeScalars.contains(where: \.isLineBreakOrNUL) {
            throw CurlError(code: .configuration, message: "invalid mail address \(address.debugDescription)", isRetriable: false)
        }

        try resetForTransfer(
            timeout: configuration.timeout,
            connectTimeout: configuration.connectTimeout,
            protocols: "smtp,smtps"
        )
        try set(CURLOPT_URL, Self.smtpURL(configuration))
        switch configuration.security {
        case .none, .implicitTLS:
            break
        case .startTLS:
            // Fail rather than silently continue in plain text when STARTTLS is unavailable.
            try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        }
        if let path = configuration.caCertificatePath {
            try set(CURLOPT_CAINFO, path)
        }
        try set(CURLOPT_SSL_VERIFYPEER, configuration.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, configuration.verifyPeer ? 2 : 0)
        // libcurl only sends AUTH when credentials are set.
        if let username = configuration.username {
            try set(CURLOPT_USERNAME, username)
            try set(CURLOPT_PASSWORD, configuration.password ?? "")
        }

        try set(CURLOPT_MAIL_FROM, from)
        let recipientList = try CurlStringList.make(recipients)
        try set(CURLOPT_MAIL_RCPT, recipientList)
        try set(CURLOPT_UPLOAD, 1)
        try set(CURLOPT_INFILESIZE_LARGE, offset: Int64(message.count))

        let transfer = CurlTransfer(upload: message, cancellation: cancellation)
        try install(transfer)
        let result = withExtendedLifetime((transfer, recipientList)) { perform() }

        if !result.succeeded {
            if cancellation.isCancelled { throw CancellationError() }
            throw CurlError.from(result, smtp: true, secret: configuration.password)
        }
    }

    /// `smtp[s]://host:port/helo`: libcurl takes the EHLO name from the URL path.
    private static func smtpURL(_ configuration: SMTPConfiguration) -> String {
        let scheme = configuration.security == .implicitTLS ? "smtps" : "smtp"
        var host = configuration.host
        if host.contains(":") && !host.hasPrefix("[") {
            host = "[\(host)]"
        }
        var url = "\(scheme)://\(host):\(configuration.port)"
        if let helo = configuration.heloName {
            url += "/" + helo.percentEncodedForURLPath()
        }
        return url
    }
}

extension String {
    func percentEncodedForURLPath() -> String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
