import Foundation
import Postgres
import ReminderDomain

/// One message for `reminder_outbox`: published by the relay once
/// `availableAt` has passed (at once when `nil`).
public struct OutboxRow: Sendable, Equatable {
    /// The message's id; the relay sends it as the `event_id` header too.
    public var eventID: UUID
    /// The topic, without the deployment's prefix.
    public var topic: String
    /// The partitioning key.
    public var key: String?
    /// The value: JSON text.
    public var payload: String
    /// Headers besides `event_id`.
    public var headers: [String: String]
    /// Held until then.
    public var availableAt: Date?

    /// Creates a row.
    public init(eventID: UUID, topic: String, key: String?, payload: String, headers: [String: String] = [:], availableAt: Date? = nil) {
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
        self.availableAt = availableAt
    }
}

/// The one way the services write to the outbox: any number of rows in one
/// statement, inside the caller's transaction. (The status-change trigger
/// writes its firings in SQL.)
public enum OutboxWriter {
    /// Writes `rows` on `connection`, in order (ids rise in array order, and
    /// the relay publishes in id order).
    public static func insert(_ rows: [OutboxRow], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(sql, [try records(rows)])
    }

    /// The same through the pool, outside any transaction of the caller's.
    public static func insert(_ rows: [OutboxRow], through postgres: PostgresClient) async throws {
        guard !rows.isEmpty else { return }
        try await postgres.query(sql, [try records(rows)])
    }

    private static let sql = """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers, available_at)
        SELECT x.event_id, x.topic, x.message_key, x.payload::jsonb, x.headers, COALESCE(x.available_at, clock_timestamp())
          FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, topic TEXT, message_key TEXT, payload TEXT,
               headers JSONB, available_at TIMESTAMPTZ)
        """

    private static func records(_ rows: [OutboxRow]) throws -> PostgresJSON {
        let records: [JSONValue] = rows.map { row in
            .object([
                "event_id": .string(row.eventID.uuidString.lowercased()),
                "topic": .string(row.topic),
                "message_key": row.key.map(JSONValue.string) ?? .null,
                "payload": .string(row.payload),
                "headers": .object(row.headers.mapValues(JSONValue.string)),
                "available_at": row.availableAt.map { .string(Timestamp.format($0)) } ?? .null,
            ])
        }
        return PostgresJSON(try JSONValue.array(records).jsonText())
    }
}
