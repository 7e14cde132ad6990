import Crypto
import Foundation
import ReminderDomain

/// Signs webhook calls the way Standard Webhooks specifies: the receiver gets
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`,
/// `v1,` followed by the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed
/// with the secret's bytes.
public enum WebhookSignature {
    /// The message id's header (the same on every attempt), lower-case as the specification writes it.
    public static let idHeader = "webhook-id"
    /// The attempt's time header: Unix seconds.
    public static let timestampHeader = "webhook-timestamp"
    /// The signatures' header: `v1,<base64>`, several separated by spaces.
    public static let signatureHeader = "webhook-signature"

    /// The `webhook-signature` value for one call.
    public static func sign(secret: WebhookSecret, id: String, timestamp: Int64, body: [UInt8]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.bytes))
        return "v1," + Data(code).base64EncodedString()
    }

    /// Whether `header` (space-separated signatures, as a receiver sees it) holds a
    /// `v1` signature matching the call; compared in constant time. Used by tests and
    /// by anyone checking what the channel sends.
    public static func verify(secret: WebhookSecret, id: String, timestamp: Int64, body: [UInt8], header: String) -> Bool {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let key = SymmetricKey(data: secret.bytes)
        for candidate in header.split(separator: " ") {
            guard candidate.hasPrefix("v1,"), let code = Data(base64Encoded: String(candidate.dropFirst(3))) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: content, using: key) { return true }
        }
        return false
    }

    /// The `webhook-id` of a delivery: `msg_` and 32 hex digits derived from the
    /// delivery id, so every attempt of one (firing, subscription) carries the same id
    /// and a receiver can drop repeats.
    public static func messageID(deliveryID: String) -> String {
        let digest = SHA256.hash(data: Array(deliveryID.utf8))
        return "msg_" + digest.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
