internal import CCurl

/// Owns one libcurl easy handle (`CURL *`) and its error buffer; cleaned up in `deinit`.
///
/// A handle is not thread-safe: it is used by one transfer at a time, on its worker's queue.
/// It is kept across transfers because its connection cache is what makes libcurl reuse
/// connections (HTTP keep-alive, an open SMTP session); `curl_easy_reset` keeps that cache.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes a detailed message for the last failure here (CURLOPT_ERRORBUFFER).
    private let errorBuffer: UnsafeMutablePointer<CChar>

    private init(handle: UnsafeMutableRawPointer) {
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// Creates a handle, initialising libcurl first if needed.
    static func make() throws -> CurlEasyHandle {
        try LibCurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw CurlError(code: .configuration, message: "curl_easy_init failed", isRetriable: false)
        }
        return CurlEasyHandle(handle: handle)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Forgets the previous transfer's options (but not its live connections) and installs
    /// the options every transfer needs.
    func resetForTransfer(timeout: Duration, connectTimeout: Duration, protocols: String) throws {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // Signals cannot be used for timeouts on multi-threaded callers.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.curlMilliseconds)
        // Refuse anything but the expected schemes, whatever the URL says.
        try set(CURLOPT_PROTOCOLS_STR, protocols)
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_setopt_long(handle, option, value), option: option)
    }

    /// libcurl copies string options, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { ccurl_setopt_string(handle, option, $0) }, option: option)
    }

    func set(_ option: CURLoption, _ list: CurlStringList) throws {
        try check(ccurl_setopt_slist(handle, option, list.pointer), option: option)
    }

    func set(_ option: CURLoption, offset: Int64) throws {
        try check(ccurl_setopt_off(handle, option, curl_off_t(offset)), option: option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try check(ccurl_setopt_pointer(handle, option, pointer), option: option)
    }

    /// Points all data callbacks at `transfer`; the caller keeps `transfer` alive until `perform` returns.
    func install(_ transfer: CurlTransfer) throws {
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        try check(ccurl_setopt_write_function(handle, CurlTransfer.writeCallback), option: CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, pointer: userdata)
        try check(ccurl_setopt_header_function(handle, CurlTransfer.headerCallback), option: CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: userdata)
        try check(ccurl_setopt_read_function(handle, CurlTransfer.readCallback), option: CURLOPT_READFUNCTION)
        try set(CURLOPT_READDATA, pointer: userdata)
        try check(ccurl_setopt_seek_function(handle, CurlTransfer.seekCallback), option: CURLOPT_SEEKFUNCTION)
        try set(CURLOPT_SEEKDATA, pointer: userdata)
        try check(ccurl_setopt_xferinfo_function(handle, CurlTransfer.progressCallback), option: CURLOPT_XFERINFOFUNCTION)
        try set(CURLOPT_XFERINFODATA, pointer: userdata)
        // The progress callback is how a cancelled task aborts a blocked transfer.
        try set(CURLOPT_NOPROGRESS, 0)
    }

    /// Runs the configured transfer to completion, blocking the calling thread.
    func perform() -> CurlPerformResult {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var responseCode = 0
        if ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode) != CURLE_OK {
            responseCode = 0
        }
        if code == CURLE_OK {
            return CurlPerformResult(curlCode: 0, responseCode: responseCode, message: "")
        }
        var message = String(cString: errorBuffer)
        if message.isEmpty {
            message = String(cString: curl_easy_strerror(code))
        }
        return CurlPerformResult(
            curlCode: Int32(truncatingIfNeeded: code.rawValue),
            responseCode: responseCode,
            message: message
        )
    }

    private func check(_ code: CURLcode, option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw CurlError(
                code: .configuration,
                curlCode: Int32(truncatingIfNeeded: code.rawValue),
                message: "setting libcurl option \(option.rawValue) failed: \(String(cString: curl_easy_strerror(code)))",
                isRetriable: false
            )
        }
    }
}

/// The outcome of one `curl_easy_perform`, in Swift terms.
struct CurlPerformResult {
    /// `CURLcode`; 0 on success.
    var curlCode: Int32
    /// CURLINFO_RESPONSE_CODE: the HTTP status or the last SMTP reply code (0 if none).
    var responseCode: Int
    /// libcurl's explanation of a failure; empty on success.
    var message: String

    var succeeded: Bool { curlCode == 0 }
}

extension Duration {
    /// Whole milliseconds, at least 1, because libcurl reads 0 as "no time-out".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int.max }
        return max(1, Int(clamping: milliseconds.partialValue + attoseconds / 1_000_000_000_000_000))
    }
}
