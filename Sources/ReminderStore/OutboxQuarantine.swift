import Foundation
import Postgres

/// The operator's side of the outbox quarantine: what the relay set aside,
/// and handing it back.
public struct OutboxQuarantine: Sendable {
    let postgres: PostgresClient

    /// Works through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    /// Quarantined rows that are still unpublished, oldest first (by id), at
    /// most `limit`.
    public func list(limit: Int = 1000) async throws -> [QuarantinedOutboxRow] {
        let rows = try await postgres.query(
            """
            SELECT id, event_id, topic, message_key, coalesce(last_error, '') AS error, quarantined_at, publish_attempts
              FROM reminder_outbox
             WHERE quarantined_at IS NOT NULL AND published_at IS NULL
             ORDER BY id
             LIMIT $1
            """,
            [limit]
        )
        return try rows.map { row in
            QuarantinedOutboxRow(
                id: try row.decode("id"), eventID: try row.decode("event_id"), topic: try row.decode("topic"),
                key: try row.decode("message_key", as: String?.self), error: try row.decode("error"),
                quarantinedAt: try row.decode("quarantined_at"), attempts: try row.decode("publish_attempts")
            )
        }
    }

    /// Clears the quarantine of `ids` (and their attempt count, so each gets
    /// its full set of attempts again) and wakes the relay; returns the ids
    /// that were quarantined. The last error is kept for reference.
    @discardableResult
    public func requeue(ids: [Int64]) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try await requeue(ids as [Int64]?)
    }

    /// Clears the quarantine of every quarantined, unpublished row.
    @discardableResult
    public func requeueAll() async throws -> [Int64] {
        try await requeue(nil)
    }

    /// `nil` requeues every quarantined row.
    private func requeue(_ ids: [Int64]?) async throws -> [Int64] {
        try await postgres.inTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE reminder_outbox SET quarantined_at = NULL, publish_attempts = 0
                 WHERE quarantined_at IS NOT NULL AND published_at IS NULL
                   AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
                RETURNING id
                """,
                [ids]
            )
            let ids = try rows.map { try $0.decode("id", as: Int64.self) }.sorted()
            // The relay's insert trigger does not fire for an update.
            if !ids.isEmpty { try await connection.query("SELECT pg_notify('reminder_outbox', '')") }
            return ids
        }
    }
}
