import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Timestamps

/// One message for `reminder_outbox`: published by the relay once
/// `availableAt` has passed (at once when `nil`).
public struct OutboxRow: Sendable, Equatable {
    /// The message's id; the relay sends it as the `event_id` header too.
    public var eventID: UUID
    /// The topic, without the deployment's prefix.
    public var topic: String
    /// The partitioning key.
    public var key: String?
    /// The value: JSON text (with ``payloadBytes``, a readable copy of them).
    public var payload: String
    /// The value's exact bytes when they are not JSON text (a replayed
    /// message that could not be read): published verbatim instead of
    /// `payload`. `nil` for every ordinary message.
    public var payloadBytes: [UInt8]?
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

    /// A row whose value is `bytes`, exactly, whatever they are.
    public init(eventID: UUID, topic: String, key: String?, bytes: [UInt8], headers: [String: String] = [:]) throws {
        self.init(
            eventID: eventID, topic: topic, key: key, payload: try JSONValue.string(StoredText.readable(bytes)).jsonText(), headers: headers
        )
        payloadBytes = bytes
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
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, payload_bytes, headers, available_at)
        SELECT x.event_id, x.topic, x.message_key, x.payload::jsonb, decode(x.payload_base64, 'base64'), x.headers,
               COALESCE(x.available_at, clock_timestamp())
          FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, topic TEXT, message_key TEXT, payload TEXT,
               payload_base64 TEXT, headers JSONB, available_at TIMESTAMPTZ)
        """

    private static func records(_ rows: [OutboxRow]) throws -> PostgresJSON {
        let records: [JSONValue] = rows.map { row in
            .object([
                "event_id": .string(row.eventID.uuidString.lowercased()),
                "topic": .string(row.topic),
                "message_key": row.key.map(JSONValue.string) ?? .null,
                "payload": .string(row.payload),
                "payload_base64": row.payloadBytes.map { .string(Data($0).base64EncodedString()) } ?? .null,
                "headers": .object(row.headers.mapValues(JSONValue.string)),
                "available_at": row.availableAt.map { .string(Timestamp.format($0)) } ?? .null,
            ])
        }
        return PostgresJSON(try JSONValue.array(records).jsonText())
    }
}
