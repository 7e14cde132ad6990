import Foundation
import Hummingbird

/// The wire format of Server-Sent Events (WHATWG HTML, "server-sent events").
enum ServerSentEvents {
    /// One event: `id`, `event` name and a single-line JSON `data`.
    static func event(id: Int, name: String, json: String) -> ByteBuffer {
        ByteBuffer(string: "id: \(id)\nevent: \(name)\ndata: \(json)\n\n")
    }

    /// A comment line, ignored by `EventSource`; keeps proxies from closing an idle stream.
    static func comment(_ text: String) -> ByteBuffer {
        ByteBuffer(string: ": \(text)\n\n")
    }

    /// Tells the browser how long to wait before reconnecting.
    static func retry(milliseconds: Int) -> ByteBuffer {
        ByteBuffer(string: "retry: \(milliseconds)\n\n")
    }
}
