import Foundation
import Timestamps

/// An HTTP `Retry-After` header: how long a server asks us to wait before the
/// next attempt (RFC 9110, section 10.2.3).
enum RetryAfterHeader {
    /// Reads a `Retry-After` value: delay-seconds (`120`) or an HTTP-date
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`), as seconds from `now` (never negative);
    /// `nil` when it is neither.
    static func seconds(in value: String, now: Date = Date()) -> TimeInterval? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return TimeInterval(text).map { max($0, 0) }
        }
        return Timestamp.parseHTTPDate(text, now: now).map { max($0.timeIntervalSince(now), 0) }
    }
}
