import Foundation

/// The webhook worker's view of the subscriptions.
public protocol WebhookTargetRepository: Sendable {
    /// The URL and sealed secret of a live subscription; `nil` once it is deleted.
    func webhookTarget(_ id: UUID) async throws -> WebhookCallTarget?
    /// Deletes a subscription (soft: `deleted_at`), as its owner's DELETE does;
    /// `false` if it was deleted already.
    func deleteWebhookTarget(_ id: UUID) async throws -> Bool
}
