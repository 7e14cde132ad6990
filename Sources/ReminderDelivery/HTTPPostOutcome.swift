import Curl
import Foundation

/// What an HTTP POST to a webhook (Mattermost's or a subscriber's) means for
/// the delivery: 2xx delivered; 429 (after its `Retry-After`), 408, 5xx and
/// lost connections tried again; any other answer permanent.
enum HTTPPostOutcome {
    /// Runs `post` and reads its answer or failure; only cancellation is thrown.
    static func of(_ post: () async throws -> CurlHTTPResponse) async throws -> SendOutcome {
        let response: CurlHTTPResponse
        do {
            response = try await post()
        } catch let error as CurlError {
            return error.isRetriable || error.code == .timeout || error.code == .transport
                ? .transient("webhook: \(error)", retryAfter: nil)
                : .permanent("webhook: \(error)")
        } catch let error as CancellationError {
            throw error
        } catch {
            return .transient("webhook: \(error)", retryAfter: nil)
        }
        return outcome(status: response.status, retryAfter: response.header("Retry-After"), body: response.body)
    }

    /// What an HTTP answer means for the delivery.
    static func outcome(status: Int, retryAfter: String?, body: [UInt8], now: Date = Date()) -> SendOutcome {
        let bodyText = String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 200..<300:
            return .delivered("webhook answered \(status)")
        case 429:
            let pause = retryAfter.flatMap { RetryAfterHeader.seconds(in: $0, now: now) }
            return .transient("webhook answered 429 (rate limited)", retryAfter: pause)
        case 408, 500..<600:
            return .transient("webhook answered \(status): \(bodyText)", retryAfter: nil)
        default:
            return .permanent("webhook answered \(status): \(bodyText)")
        }
    }
}
