internal import CCurl

/// An HTTP request as the clients hand it to a handle.
struct CurlHTTPRequest: Sendable {
    enum Method: Sendable { case get, post }

    var method: Method
    var url: String
    var headers: [CurlHeader]
    var body: [UInt8]
    /// `CURLOPT_RESOLVE` entries (`host:port:address`): the address each connection
    /// to that host and port uses, whatever DNS says meanwhile.
    var resolve: [String] = []
}

extension CurlEasyHandle {
    /// Performs one HTTP request on this handle (blocking) and returns any response status.
    func performHTTP(
        _ request: CurlHTTPRequest,
        configuration: CurlHTTPClientConfiguration,
        cancellation: CurlCancellation
    ) throws -> CurlHTTPResponse {
        try resetForTransfer(
            timeout: configuration.timeout,
            connectTimeout: configuration.connectTimeout,
            protocols: "http,https"
        )
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_USERAGENT, configuration.userAgent)

        var headerLines: [String] = []
        for header in request.headers {
            try Self.validate(header)
            headerLines.append("\(header.name): \(header.value)")
        }
        // An empty `Expect:` stops libcurl waiting for `100 Continue` before large bodies.
        headerLines.append("Expect:")
        if request.method == .post && !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            // Otherwise libcurl claims `application/x-www-form-urlencoded`, which the body is not.
            headerLines.append("Content-Type:")
        }
        let headerList = try CurlStringList.make(headerLines)
        try set(CURLOPT_HTTPHEADER, headerList)
        let resolveList = try CurlStringList.make(request.resolve)
        if !request.resolve.isEmpty {
            try set(CURLOPT_RESOLVE, resolveList)
        }

        switch request.method {
        case .get:
            try set(CURLOPT_HTTPGET, 1)
        case .post:
            try set(CURLOPT_POST, 1)
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
        }

        let transfer = CurlTransfer(upload: request.body, cancellation: cancellation)
        try install(transfer)
        let result = withExtendedLifetime((transfer, headerList, resolveList)) { perform() }

        if !result.succeeded {
            if cancellation.isCancelled { throw CancellationError() }
            throw CurlError.from(result, smtp: false)
        }
        return CurlHTTPResponse(status: result.responseCode, headers: transfer.responseHeaders, body: transfer.responseBody)
    }

    private static func validate(_ header: CurlHeader) throws {
        // Checked per scalar: "\r\n" is one Character, so a Character test would miss it.
        let badName = header.name.isEmpty || header.name.unicodeScalars.contains { $0.isLineBreakOrNUL || $0 == ":" }
        if badName || header.value.unicodeScalars.contains(where: \.isLineBreakOrNUL) {
            throw CurlError(
                code: .configuration,
                message: "invalid HTTP header field \(header.name.debugDescription)",
                isRetriable: false
            )
        }
    }
}

extension Unicode.Scalar {
    /// Characters that would end a header line or a protocol command early.
    var isLineBreakOrNUL: Bool { self == "\r" || self == "\n" || self == "\0" }
}
