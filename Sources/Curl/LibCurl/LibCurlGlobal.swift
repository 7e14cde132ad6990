internal import CCurl

/// libcurl's process-wide initialisation, which is not thread-safe and must run once before
/// any handle is created; a `static let` gives exactly-once, thread-safe lazy initialisation.
enum LibCurlGlobal {
    private static let initResult: Int32 = Int32(truncatingIfNeeded: ccurl_global_init_all().rawValue)

    /// Initialises libcurl on first use; throws if that failed.
    static func ensureInitialized() throws {
        if initResult != 0 {
            throw CurlError(
                code: .configuration,
                curlCode: initResult,
                message: "curl_global_init failed",
                isRetriable: false
            )
        }
    }
}
