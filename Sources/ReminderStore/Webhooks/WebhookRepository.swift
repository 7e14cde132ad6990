import Foundation

/// The gateway's webhook subscriptions.
public protocol WebhookRepository: Sendable {
    /// Stores a new subscription (its secret already sealed) and returns it; `nil` when its
    /// case (or, for a global one, the global set) already has `limit` live subscriptions.
    func createWebhook(
        id: UUID, sagID: Int?, url: String, sealedSecret: String, description: String?, createdBy: Int, limit: Int
    ) async throws -> WebhookSubscription?
    /// The live subscriptions `userID` may see: the global ones when `isAdmin`, and those
    /// of cases the host's rule lets the user into; only case `sagID`'s when given.
    func webhooks(visibleTo userID: Int, isAdmin: Bool, sagID: Int?) async throws -> [WebhookSubscription]
    /// One live subscription, whoever may see it.
    func webhook(_ id: UUID) async throws -> WebhookSubscription?
    /// Marks a live subscription deleted; `false` when there was none.
    func deleteWebhook(_ id: UUID) async throws -> Bool
}
