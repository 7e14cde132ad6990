import Foundation
import Postgres

extension PostgresGatewayStore {
    private static let webhookColumns = "id, sag_id, url, description, created_by, created_at"

    public func createWebhook(
        id: UUID, sagID: Int?, url: String, sealedSecret: String, description: String?, createdBy: Int, limit: Int
    ) async throws -> WebhookSubscription? {
        try await postgres.inTransaction { connection in
            // One subscriber at a time per case (or for the global ones), so the count holds.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["reminder-webhooks:" + (sagID.map(String.init) ?? "global")]
            )
            let rows = try await connection.query(
                """
                INSERT INTO reminder_webhook_subscriptions (id, sag_id, url, secret_sealed, description, created_by)
                SELECT $1, $2, $3, $4, $5, $6
                 WHERE (SELECT count(*) FROM reminder_webhook_subscriptions
                         WHERE deleted_at IS NULL AND sag_id IS NOT DISTINCT FROM $2) < $7
                RETURNING id, sag_id, url, description, created_by, created_at
                """,
                [id, sagID, url, sealedSecret, description, createdBy, limit]
            )
            return try rows.first.map(Self.webhook(from:))
        }
    }

    public func webhooks(visibleTo userID: Int, isAdmin: Bool, sagID: Int?) async throws -> [WebhookSubscription] {
        let rows = try await postgres.query(
            """
            SELECT w.id, w.sag_id, w.url, w.description, w.created_by, w.created_at
              FROM reminder_webhook_subscriptions w
             WHERE w.deleted_at IS NULL
               AND ($3::integer IS NULL OR w.sag_id = $3)
               AND (w.sag_id IS NULL AND $2
                    OR w.sag_id IS NOT NULL AND reminders_can_access_case($1, w.sag_id))
             ORDER BY w.created_at, w.id
             LIMIT 1000
            """,
            [userID, isAdmin, sagID]
        )
        return try rows.map(Self.webhook(from:))
    }

    public func webhook(_ id: UUID) async throws -> WebhookSubscription? {
        let rows = try await postgres.query(
            "SELECT \(Self.webhookColumns) FROM reminder_webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL", [id]
        )
        return try rows.first.map(Self.webhook(from:))
    }

    public func deleteWebhook(_ id: UUID) async throws -> Bool {
        try await PostgresWebhookTargets(postgres: postgres).deleteWebhookTarget(id)
    }

    private static func webhook(from row: PostgresRow) throws -> WebhookSubscription {
        WebhookSubscription(
            id: try row.decode("id"), sagID: try row.decode("sag_id", as: Int?.self), url: try row.decode("url"),
            description: try row.decode("description", as: String?.self), createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at")
        )
    }
}
