import Crypto
import Foundation
import ReminderDomain

/// Seals webhook signing secrets for storage and opens them for signing:
/// AES-256-GCM under the deployment's key (`REMINDERS_WEBHOOK_SECRET_KEY`, 32 bytes
/// in base64), with the subscription's id as authenticated data so a sealed secret
/// copied to another row does not open. Stored as `v1.` + base64(nonce, ciphertext, tag).
///
/// The secret is encrypted rather than hashed because the worker must sign with it.
/// Someone who reads the table but not the environment learns nothing from it.
public struct WebhookSecretBox: Sendable {
    private let key: SymmetricKey

    /// The form's version prefix.
    static let version = "v1."

    /// A box with the key given as base64 of exactly 32 bytes.
    /// - Throws: `StoreError` (`.configuration`) naming the setting, never the key.
    public init(base64Key: String) throws {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespaces)), bytes.count == 32 else {
            throw StoreError(.configuration, "REMINDERS_WEBHOOK_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The stored form of `secret` for subscription `id`.
    public func seal(_ secret: WebhookSecret, for id: UUID) throws -> String {
        let box = try AES.GCM.seal(secret.bytes, using: key, authenticating: Array(id.uuidString.lowercased().utf8))
        guard let combined = box.combined else { throw StoreError(.configuration, "cannot seal the webhook secret") }
        return Self.version + combined.base64EncodedString()
    }

    /// The secret of subscription `id` from its stored form.
    /// - Throws: `StoreError` (`.unexpectedData`) when the form is unreadable or the key
    ///   does not open it (a changed key, or a value moved between rows).
    public func open(_ sealed: String, for id: UUID) throws -> WebhookSecret {
        guard sealed.hasPrefix(Self.version), let combined = Data(base64Encoded: String(sealed.dropFirst(Self.version.count))) else {
            throw StoreError(.unexpectedData, "the stored webhook secret is not in a known form")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let bytes = try AES.GCM.open(box, using: key, authenticating: Array(id.uuidString.lowercased().utf8))
            return WebhookSecret(bytes: [UInt8](bytes))
        } catch {
            throw StoreError(.unexpectedData, "the stored webhook secret does not open with REMINDERS_WEBHOOK_SECRET_KEY (was the key changed?)")
        }
    }
}
