import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

/// The outbox in `reminder_outbox`, read over one connection that the caller
/// owns (the relay holds its leadership lock on that same connection).
public struct PostgresOutboxRepository: OutboxRepository {
    let connection: PostgresConnection
    /// The longest a failed row is held back before its next attempt.
    static let longestRetryDelaySeconds = 300.0

    /// Reads and writes through `connection`.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Settles how the relay's session plans its reads: by the due index
    /// only. Right after a bulk insert, before autovacuum has analysed the
    /// table, or with many held or quarantined rows, the planner misjudges
    /// how many rows are due and prefers a bitmap or sequential scan that
    /// reads every unpublished row (or every row) for each batch. Every
    /// statement of this repository has an index to use, so the session
    /// never wants those. Its plans are generic, kept after the first
    /// execution: the relay reads and marks hundreds of times a second, a few
    /// rows each, and planning every call was a third of its database time;
    /// the plans are the same either way (the due index for the read, the
    /// key for the mark).
    public static func prepareSession(_ connection: PostgresConnection) async throws {
        try await connection.setStatementPlanning(.oncePerSessionByKey)
        try await connection.simpleQuery("SET enable_bitmapscan = off")
    }

    public func backlog() async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT count(*) AS backlog FROM reminder_outbox
             WHERE published_at IS NULL AND quarantined_at IS NULL AND available_at <= statement_timestamp()
            """
        )
        return try rows.first?.decode("backlog", as: Int.self) ?? 0
    }

    /// The time bound is `statement_timestamp()`, not `clock_timestamp()`:
    /// only a stable function lets the due index (migrations 103 and 110)
    /// bound the read. The order is `id + 0`, not `id`: ordered by the key
    /// itself, the planner may walk the primary key past every published,
    /// held and quarantined row, expecting to find due ones soon. A row
    /// whose headers cannot be read comes back in ``OutboxBatch/unreadable``;
    /// the others are unaffected. A row with `payload_bytes` (migration 111)
    /// carries those bytes as its value.
    public func fetchUnpublished(limit: Int, excluding: [Int64] = []) async throws -> OutboxBatch {
        let rows = try await connection.query(
            """
            SELECT id, event_id, topic, message_key, headers::text AS headers,
                   CASE WHEN payload_bytes IS NULL THEN payload::text END AS payload,
                   encode(payload_bytes, 'base64') AS payload_base64
              FROM reminder_outbox
             WHERE published_at IS NULL AND quarantined_at IS NULL AND available_at <= statement_timestamp()
               AND NOT (id = ANY($2::bigint[]))
             ORDER BY id + 0
             LIMIT $1
            """,
            [limit, excluding]
        )
        var batch = OutboxBatch()
        for row in rows {
            let id: Int64 = try row.decode("id")
            do {
                batch.messages.append(try Self.message(from: row, id: id))
            } catch let error as StoreError {
                batch.unreadable.append(OutboxFailure(id: id, reason: error.message, isFinal: true))
            }
        }
        return batch
    }

    /// Decodes one row; a ``StoreError`` names what is wrong with it.
    private static func message(from row: PostgresRow, id: Int64) throws -> OutboxMessage {
        let headers: [String: String]
        do {
            let headersText: String = try row.decode("headers")
            headers = try JSONText.plainStringObject(headersText)
                ?? JSONDecoder().decode([String: String].self, from: Data(headersText.utf8))
        } catch {
            throw StoreError(.unexpectedData, "outbox row \(id) has headers that are not a flat JSON object of strings")
        }
        do {
            let payload: [UInt8]
            if let base64 = try row.decode("payload_base64", as: String?.self) {
                // PostgreSQL breaks its base64 into lines.
                guard let bytes = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
                    throw StoreError(.unexpectedData, "outbox row \(id) has payload bytes that do not decode")
                }
                payload = Array(bytes)
            } else {
                payload = Array(try row.decode("payload", as: String.self).utf8)
            }
            return OutboxMessage(
                id: id,
                eventID: try row.decode("event_id"),
                topic: try row.decode("topic"),
                key: try row.decode("message_key", as: String?.self),
                payload: payload,
                headers: headers
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unexpectedData, "outbox row \(id) cannot be read: \(error)")
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

    /// One statement for all of them; the reason is stored sanitised (no NUL,
    /// bounded), as it may quote what the broker said.
    public func recordFailures(_ failures: [OutboxFailure], quarantineAfter: Int, retryDelay: Duration) async throws -> [OutboxAttempt] {
        guard !failures.isEmpty else { return [] }
        let records: [JSONValue] = failures.map {
            .object([
                "id": .integer(Int64($0.id)), "reason": .string(StoredText.reason($0.reason)), "final": .bool($0.isFinal),
            ])
        }
        let delaySeconds = Double(retryDelay.components.seconds) + Double(retryDelay.components.attoseconds) / 1e18
        let rows = try await connection.query(
            """
            UPDATE reminder_outbox AS o
               SET publish_attempts = o.publish_attempts + 1,
                   last_error = x.reason,
                   quarantined_at = CASE WHEN x.final OR o.publish_attempts + 1 >= $2 THEN clock_timestamp() END,
                   available_at = CASE WHEN x.final OR o.publish_attempts + 1 >= $2 THEN o.available_at
                                       ELSE greatest(o.available_at,
                                                     clock_timestamp() + make_interval(secs => least($3::float8 * power(2, o.publish_attempts), $4::float8)))
                                  END
              FROM jsonb_to_recordset($1::jsonb) AS x(id BIGINT, reason TEXT, final BOOLEAN)
             WHERE o.id = x.id AND o.published_at IS NULL AND o.quarantined_at IS NULL
            RETURNING o.id, o.topic, o.publish_attempts, o.quarantined_at IS NOT NULL AS quarantined
            """,
            [PostgresJSON(try JSONValue.array(records).jsonText()), quarantineAfter, delaySeconds, Self.longestRetryDelaySeconds]
        )
        return try rows.map { row in
            OutboxAttempt(
                id: try row.decode("id"), topic: try row.decode("topic"),
                attempts: try row.decode("publish_attempts"), isQuarantined: try row.decode("quarantined")
            )
        }
    }
}
