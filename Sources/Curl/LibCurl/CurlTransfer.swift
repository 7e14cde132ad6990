internal import CCurl
import Synchronization

/// Set from a task's cancellation handler, read by libcurl's progress callback on the
/// worker thread, which then aborts the blocking transfer.
final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    init() {}

    func cancel() {
        flag.store(true, ordering: .relaxed)
    }

    var isCancelled: Bool {
        flag.load(ordering: .relaxed)
    }
}

/// The state of one transfer that libcurl's C callbacks read and write.
///
/// C callbacks cannot capture context, so libcurl hands them this object back as the
/// userdata pointer (`Unmanaged`, unretained: `perform` keeps it alive).
/// Only touched on the worker thread running the transfer.
final class CurlTransfer {
    /// Bytes to upload (HTTP request body, SMTP message).
    let upload: [UInt8]
    private var uploadOffset = 0
    let cancellation: CurlCancellation

    /// Response body as received.
    private(set) var responseBody: [UInt8] = []
    /// Header fields of the latest response; interim responses (e.g. `100 Continue`) are dropped.
    private(set) var responseHeaders: [CurlHeader] = []

    init(upload: [UInt8], cancellation: CurlCancellation) {
        self.upload = upload
        self.cancellation = cancellation
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    static let writeCallback: ccurl_data_callback = { buffer, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        let length = size * count
        if let buffer, length > 0 {
            transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
        }
        return length
    }

    static let headerCallback: ccurl_data_callback = { buffer, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        let length = size * count
        if let buffer, length > 0 {
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
            transfer.receiveHeaderLine(line)
        }
        return length
    }

    static let readCallback: ccurl_data_callback = { buffer, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        guard let buffer else { return 0 }
        let chunk = min(size * count, transfer.upload.count - transfer.uploadOffset)
        if chunk > 0 {
            transfer.upload.withUnsafeBytes { source in
                UnsafeMutableRawPointer(buffer).copyMemory(
                    from: source.baseAddress! + transfer.uploadOffset,
                    byteCount: chunk
                )
            }
            transfer.uploadOffset += chunk
        }
        return chunk
    }

    static let seekCallback: ccurl_seek_callback = { userdata, offset, origin in
        let transfer = CurlTransfer.from(userdata)
        // libcurl only rewinds absolutely (SEEK_SET == 0).
        guard origin == 0, offset >= 0, offset <= transfer.upload.count else {
            return Int32(CURL_SEEKFUNC_CANTSEEK)
        }
        transfer.uploadOffset = Int(offset)
        return Int32(CURL_SEEKFUNC_OK)
    }

    static let progressCallback: ccurl_xferinfo_callback = { userdata, _, _, _, _ in
        CurlTransfer.from(userdata).cancellation.isCancelled ? 1 : 0
    }

    private func receiveHeaderLine(_ rawLine: String) {
        let line = rawLine.trimmingLineEnding()
        if line.hasPrefix("HTTP/") {
            // A new status line: whatever came before belonged to an interim response.
            responseHeaders.removeAll()
            return
        }
        if line.isEmpty { return }
        if let first = line.first, first == " " || first == "\t", !responseHeaders.isEmpty {
            // Obsolete line folding: continuation of the previous field.
            responseHeaders[responseHeaders.count - 1].value += " " + line.trimmingSpaces()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon]).trimmingSpaces()
        let value = String(line[line.index(after: colon)...]).trimmingSpaces()
        responseHeaders.append(CurlHeader(name: name, value: value))
    }
}

extension String {
    func trimmingLineEnding() -> String {
        var result = Substring(self)
        while let last = result.last, last == "\r\n" || last == "\n" || last == "\r" {
            result = result.dropLast()
        }
        return String(result)
    }

    func trimmingSpaces() -> String {
        var result = Substring(self)
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return String(result)
    }
}
