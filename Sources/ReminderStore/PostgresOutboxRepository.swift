import Foundation
import Postgres
import ReminderDomain

/// The outbox in `reminder_outbox`, read over one connection that the caller
/// owns (the relay holds its leadership lock on that same connection).
public struct PostgresOutboxRepository: OutboxRepository {
    let connection: PostgresConnection

    /// Reads and writes through `connection`.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Up to `limit` unpublished rows in id order.
    public func backlog() async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*) AS backlog FROM reminder_outbox WHERE published_at IS NULL AND available_at <= statement_timestamp()"
        )
        return try rows.first?.decode("backlog", as: Int.self) ?? 0
    }

    /// The time bound is `statement_timestamp()`, not `clock_timestamp()`:
    /// only a stable function lets the due index (migration 103) bound the read.
    public func fetchUnpublished(limit: Int, excluding: [Int64] = []) async throws -> [OutboxMessage] {
        let rows = try await connection.query(
            """
            SELECT id, event_id, topic, message_key, payload::text AS payload, headers::text AS headers
              FROM reminder_outbox
             WHERE published_at IS NULL AND available_at <= statement_timestamp() AND NOT (id = ANY($2::bigint[]))
             ORDER BY id
             LIMIT $1
            """,
            [limit, excluding]
        )
        let decoder = JSONDecoder()
        return try rows.map { row in
            let headersText: String = try row.decode("headers")
            let headers: [String: String]
            do {
                headers = try decoder.decode([String: String].self, from: Data(headersText.utf8))
            } catch {
                throw StoreError(.unexpectedData, "outbox row \(row["id"] ?? "?") has headers that are not a flat JSON object of strings")
            }
            return OutboxMessage(
                id: try row.decode("id"),
                eventID: try row.decode("event_id"),
                topic: try row.decode("topic"),
                key: try row.decode("message_key", as: String?.self),
                payload: try row.decode("payload"),
                headers: headers
            )
        }
    }

    /// Sets `published_at` on rows not yet marked; a row is marked once only.
    @discardableResult
    public func markPublished(ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let rows = try await connection.query(
            "UPDATE reminder_outbox SET published_at = clock_timestamp() WHERE id = ANY($1) AND published_at IS NULL",
            [ids]
        )
        return rows.affectedRows
    }
}
