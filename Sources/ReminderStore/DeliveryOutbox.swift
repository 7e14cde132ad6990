import Foundation
import Postgres
import ReminderDomain

/// The one way deliveries enter the outbox: a row per delivery on its
/// channel's topic, keyed by recipient, with `event_id` and `delivery_id`
/// headers, held until `notBefore` when quiet hours defer it.
public enum DeliveryOutbox {
    /// Writes `deliveries` in one statement on `connection`.
    public static func insert(_ deliveries: [Delivery], on connection: PostgresConnection) async throws {
        guard !deliveries.isEmpty else { return }
        try await connection.query(sql, [try rows(deliveries)])
    }

    /// The same through the pool, outside any transaction of the caller's.
    public static func insert(_ deliveries: [Delivery], through postgres: PostgresClient) async throws {
        guard !deliveries.isEmpty else { return }
        try await postgres.query(sql, [try rows(deliveries)])
    }

    private static let sql = """
        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers, available_at)
        SELECT x.event_id, x.topic, x.message_key, x.payload::jsonb,
               jsonb_build_object('event_id', x.event_id::text, 'delivery_id', x.delivery_id),
               COALESCE(x.available_at, clock_timestamp())
          FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, topic TEXT, message_key TEXT, payload TEXT,
               delivery_id TEXT, available_at TIMESTAMPTZ)
        """

    private static func rows(_ deliveries: [Delivery]) throws -> PostgresJSON {
        let rows: [JSONValue] = try deliveries.map { delivery in
            .object([
                "event_id": .string(delivery.eventID.uuidString.lowercased()),
                "topic": .string(delivery.channel.deliveryTopic),
                "message_key": .string(delivery.recipient.messageKey),
                "payload": .string(String(decoding: try MessageCoding.encode(delivery), as: UTF8.self)),
                "delivery_id": .string(delivery.deliveryID),
                "available_at": delivery.notBefore.map { .string(Timestamp.format($0)) } ?? .null,
            ])
        }
        return PostgresJSON(try JSONValue.array(rows).jsonText())
    }
}
