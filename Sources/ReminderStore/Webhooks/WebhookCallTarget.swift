import Foundation

/// What the webhook worker needs to call a subscription: its URL and sealed secret.
public struct WebhookCallTarget: Sendable, Equatable {
    /// The subscription's id.
    public var id: UUID
    /// Where the call goes.
    public var url: String
    /// The secret as stored (open it with ``WebhookSecretBox``).
    public var sealedSecret: String

    /// Creates a target.
    public init(id: UUID, url: String, sealedSecret: String) {
        self.id = id
        self.url = url
        self.sealedSecret = sealedSecret
    }
}
