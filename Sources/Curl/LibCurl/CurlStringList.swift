internal import CCurl

/// Owns a libcurl `curl_slist` (header lines, SMTP recipients); freed in `deinit`.
/// libcurl does not copy lists, so the owner must outlive the transfer that uses it.
final class CurlStringList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    private init() {}

    /// Builds a list holding copies of `strings` (libcurl copies each string).
    static func make(_ strings: [String]) throws -> CurlStringList {
        let list = CurlStringList()
        for string in strings {
            guard let appended = curl_slist_append(list.pointer, string) else {
                throw CurlError(code: .configuration, message: "curl_slist_append failed (out of memory)", isRetriable: false)
            }
            list.pointer = appended
        }
        return list
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}
