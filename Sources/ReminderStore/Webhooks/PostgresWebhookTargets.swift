import Foundation
import Postgres

/// Reads webhook subscriptions for the webhook worker, and deletes them (the
/// worker when a receiver answers 410 Gone, the gateway for their owners).
public struct PostgresWebhookTargets: WebhookTargetRepository {
    let postgres: PostgresClient

    /// Queries through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    public func webhookTarget(_ id: UUID) async throws -> WebhookCallTarget? {
        let rows = try await postgres.query(
            "SELECT id, url, secret_sealed FROM reminder_webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL", [id]
        )
        return try rows.first.map { row in
            WebhookCallTarget(id: try row.decode("id"), url: try row.decode("url"), sealedSecret: try row.decode("secret_sealed"))
        }
    }

    public func deleteWebhookTarget(_ id: UUID) async throws -> Bool {
        let rows = try await postgres.query(
            "UPDATE reminder_webhook_subscriptions SET deleted_at = clock_timestamp() WHERE id = $1 AND deleted_at IS NULL RETURNING id",
            [id]
        )
        return !rows.isEmpty
    }
}
