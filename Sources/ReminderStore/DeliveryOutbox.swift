import Foundation
import Postgres
import ReminderContracts
import ReminderDomain

/// How deliveries and dead letters become outbox rows: a delivery (other
/// than an in-app one) goes to its channel's topic, keyed by recipient, with a `delivery_id` header,
/// held until `notBefore` when quiet hours defer it.
public enum DeliveryOutbox {
    /// Writes `deliveries` in one statement on `connection`.
    public static func insert(_ deliveries: [Delivery], on connection: PostgresConnection) async throws {
        try await OutboxWriter.insert(try deliveries.map { try row(for: $0) }, on: connection)
    }

    /// The same through the pool, outside any transaction of the caller's.
    public static func insert(_ deliveries: [Delivery], through postgres: PostgresClient) async throws {
        try await OutboxWriter.insert(try deliveries.map { try row(for: $0) }, through: postgres)
    }

    /// The outbox row of `delivery`, held until `availableAt` (default: its
    /// `notBefore`). An in-app delivery has no topic: it is written to the
    /// inbox (``DeliveryHandoff``), and refused here.
    public static func row(for delivery: Delivery, availableAt: Date? = nil) throws -> OutboxRow {
        guard let topic = delivery.channel.deliveryTopic else {
            throw StoreError(.unexpectedData, "delivery \(delivery.deliveryID) is for the in-app inbox, which has no topic")
        }
        return OutboxRow(
            eventID: delivery.eventID,
            topic: topic,
            key: delivery.messageKey,
            payload: try delivery.jsonText(),
            headers: [MessageHeader.deliveryID: delivery.deliveryID],
            availableAt: availableAt ?? delivery.notBefore
        )
    }

    /// The outbox row parking `letter` on `topic`, with the headers an
    /// operator filters by. The letter and the headers are made safe to
    /// store first (``DeadLetter/sanitised()``), so parking can never fail on
    /// the bytes being parked.
    public static func row(for letter: DeadLetter, topic: String, headers: [String: String]) throws -> OutboxRow {
        let letter = letter.sanitised()
        return OutboxRow(
            eventID: UUID(),
            topic: topic,
            key: letter.originalKey,
            payload: String(decoding: try MessageCoding.encode(letter), as: UTF8.self),
            headers: headers.mapValues { StoredText.reason($0) }
        )
    }
}
