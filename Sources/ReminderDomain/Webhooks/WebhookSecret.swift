import Foundation

/// A webhook signing secret in the Standard Webhooks form: `whsec_` followed by the
/// base64 of the key bytes. The key signs with HMAC-SHA256.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    /// The key bytes.
    public var bytes: [UInt8]

    /// The prefix of the textual form.
    public static let prefix = "whsec_"
    /// The fewest key bytes accepted (192 bits).
    public static let minimumBytes = 24
    /// The most key bytes accepted.
    public static let maximumBytes = 64

    /// A secret from its key bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Reads `whsec_<base64>`; throws the reason a secret is refused (not the
    /// secret): wrong prefix, not base64, or shorter than ``minimumBytes`` or
    /// longer than ``maximumBytes`` once decoded, or all one repeated byte.
    public init(text: String) throws(WebhookSecretError) {
        guard text.hasPrefix(Self.prefix) else { throw .init("must start with \(Self.prefix)") }
        guard let decoded = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else {
            throw .init("must be \(Self.prefix) followed by base64")
        }
        let bytes = [UInt8](decoded)
        guard bytes.count >= Self.minimumBytes else { throw .init("is too short: at least \(Self.minimumBytes) random bytes are required") }
        guard bytes.count <= Self.maximumBytes else { throw .init("is too long: at most \(Self.maximumBytes) bytes") }
        guard Set(bytes).count > 1 else { throw .init("is too weak: one byte repeated") }
        self.bytes = bytes
    }

    /// A new secret of 32 random bytes from the system's generator.
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        return WebhookSecret(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The textual form, `whsec_<base64>`: shown once, when the subscription is created.
    public var text: String { Self.prefix + Data(bytes).base64EncodedString() }

    /// Never the key: a secret interpolated into a log line stays secret.
    public var description: String { Self.prefix + "(redacted)" }
}
