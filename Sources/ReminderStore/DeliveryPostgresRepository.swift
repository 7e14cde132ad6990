import Foundation
import Postgres
import ReminderDomain

/// The delivery workers' transactions on PostgreSQL.
///
/// Correct with several workers per channel and with redelivered messages:
/// each recording claims the delivery's row with an upsert that only
/// succeeds for a new attempt of an unfinished delivery, and that row lock
/// serialises rival transactions.
public struct PostgresDeliveryRepository: DeliveryRepository {
    let postgres: PostgresClient

    /// Queries through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    public func state(ofDelivery deliveryID: String) async throws -> DeliveryState? {
        let rows = try await postgres.query(
            "SELECT status, handled_attempt FROM sag_reminder_deliveries WHERE delivery_id = $1", [deliveryID]
        )
        guard let row = rows.first else { return nil }
        guard let status = DeliveryStatus(rawValue: try row.decode("status")) else {
            throw StoreError(.unexpectedData, "delivery \(deliveryID) has an unknown status")
        }
        return DeliveryState(status: status, handledAttempt: try row.decode("handled_attempt"))
    }

    public func record(_ result: DeliveryResult, of delivery: Delivery, now: Date) async throws -> Bool {
        try await postgres.withTransaction { connection in
            var messageID: String?
            var error: String?
            let reason: String
            var payload: String?
            switch result {
            case .sent(let id):
                messageID = id
                reason = "delivered"
            case .dryRun(let rendered):
                reason = "dry run (REMINDERS_DRY_RUN=true): rendered, not sent"
                payload = try rendered.jsonText()
            case .skipped(let why):
                reason = why
            case .retry(let why, _, let availableAt):
                error = why
                reason = "attempt \(delivery.attempt + 1) failed; retrying at \(Timestamp.format(availableAt))"
            case .dead(let why, _, _):
                error = why
                reason = why
            }
            guard try await claim(delivery, status: result.status, messageID: messageID, error: error, on: connection) else {
                return false
            }
            try await log(
                delivery, status: result.logStatus, reason: reason, error: error, payload: payload, now: now, on: connection
            )
            switch result {
            case .retry(_, let next, let availableAt):
                try await enqueue(
                    topic: next.channel.deliveryTopic, key: next.recipient.messageKey, eventID: next.eventID,
                    payload: String(decoding: try MessageCoding.encode(next), as: UTF8.self),
                    headers: ["delivery_id": next.deliveryID], availableAt: availableAt, on: connection
                )
            case .dead(let why, let letter, let topic):
                try await enqueue(
                    topic: topic, key: letter.originalKey, eventID: UUID(),
                    payload: String(decoding: try MessageCoding.encode(letter), as: UTF8.self),
                    headers: ["delivery_id": delivery.deliveryID, "source_event_id": letter.eventID, "reason": why],
                    availableAt: nil, on: connection
                )
            default:
                break
            }
            return true
        }
    }

    public func deliverToInbox(_ delivery: Delivery, now: Date) async throws -> Bool {
        try await postgres.withTransaction { connection in
            guard let userID = delivery.recipientUserID else {
                throw StoreError(.unexpectedData, "an in-app delivery needs a user")
            }
            guard try await claim(delivery, status: .sent, messageID: nil, error: nil, on: connection) else { return false }
            try await connection.query(
                """
                INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, message, priority, case_title, created_at)
                VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (delivery_id) DO NOTHING
                """,
                [delivery.deliveryID, delivery.eventID.uuidString.lowercased(), delivery.reminderID, delivery.sagID, userID,
                 delivery.title, delivery.message, delivery.priority.rawValue, delivery.caseTitle, now]
            )
            try await log(delivery, status: "sent", reason: "written to the in-app inbox", error: nil, payload: nil, now: now, on: connection)
            return true
        }
    }

    public func parkUnreadable(_ letter: DeadLetter, channel: Channel, deadLetterTopic: String, now: Date) async throws -> Bool {
        try await postgres.withTransaction { connection in
            let key = "unreadable:\(letter.sourceTopic):\(letter.sourcePartition ?? -1):\(letter.sourceOffset ?? -1)"
            let inserted = try await connection.query(
                """
                INSERT INTO sag_reminder_logs (event_id, channel, status, reason, error_message, dedupe_key, created_at)
                VALUES ($1::uuid, $2, 'failed', 'unreadable delivery message; parked on the dead-letter topic', $3, $4, $5)
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """,
                [UUID(uuidString: letter.eventID).map { $0.uuidString.lowercased() }, channel.rawValue, letter.reason, key, now]
            )
            guard !inserted.isEmpty else { return false }
            try await enqueue(
                topic: deadLetterTopic, key: letter.originalKey, eventID: UUID(),
                payload: String(decoding: try MessageCoding.encode(letter), as: UTF8.self),
                headers: ["source_event_id": letter.eventID, "reason": letter.reason], availableAt: nil, on: connection
            )
            return true
        }
    }

    public func replay(_ request: DeliveryReplay, now: Date) async throws -> Bool {
        try await postgres.withTransaction { connection in
            let delivery = request.delivery
            let recipientEmail: String? = delivery.flatMap { $0.recipientUserID == nil ? $0.recipientEmail ?? $0.toAddress : nil }
            let inserted = try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason,
                                               dedupe_key, created_at)
                VALUES ($1, $2, $3::uuid, $4, $5, $6, 'replayed', $7, $8, $9)
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """,
                [delivery?.reminderID, delivery?.sagID, delivery?.firedEventID.uuidString.lowercased(), delivery?.recipientUserID,
                 recipientEmail, delivery?.channel.rawValue, "dead letter replayed (it had failed: \(request.reason))",
                 "replay:" + request.letterKey, now]
            )
            guard !inserted.isEmpty else { return false }
            var headers: [String: String] = [:]
            if let delivery { headers["delivery_id"] = delivery.deliveryID }
            try await enqueue(
                topic: request.topic, key: request.key, eventID: request.eventID, payload: request.payload,
                headers: headers, availableAt: nil, on: connection
            )
            if let delivery {
                try await connection.query(
                    """
                    UPDATE sag_reminder_deliveries
                       SET status = 'replayed', handled_attempt = -1, last_event_id = $2::uuid, last_error = NULL,
                           updated_at = clock_timestamp()
                     WHERE delivery_id = $1
                    """,
                    [delivery.deliveryID, request.eventID.uuidString.lowercased()]
                )
            }
            return true
        }
    }

    /// Claims the delivery's row for this attempt: inserts it, or updates it
    /// when the delivery is unfinished and this attempt is new. `false` when
    /// neither (handled before); the row stays locked until the transaction ends.
    private func claim(
        _ delivery: Delivery, status: DeliveryStatus, messageID: String?, error: String?, on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO sag_reminder_deliveries AS d (delivery_id, channel, reminder_id, sag_id, user_id, recipient_email,
                                                      status, handled_attempt, last_event_id, last_error, message_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid, $10, $11)
            ON CONFLICT (delivery_id) DO UPDATE
               SET status = EXCLUDED.status, handled_attempt = EXCLUDED.handled_attempt,
                   last_event_id = EXCLUDED.last_event_id, last_error = EXCLUDED.last_error,
                   message_id = COALESCE(EXCLUDED.message_id, d.message_id), updated_at = clock_timestamp()
             WHERE d.status NOT IN ('sent', 'dry_run', 'skipped', 'dead') AND d.handled_attempt < EXCLUDED.handled_attempt
            RETURNING delivery_id
            """,
            [delivery.deliveryID, delivery.channel.rawValue, delivery.reminderID, delivery.sagID, delivery.recipientUserID,
             Self.recipientEmail(of: delivery), status.rawValue, delivery.attempt, delivery.eventID.uuidString.lowercased(),
             error, messageID]
        )
        return !rows.isEmpty
    }

    private func log(
        _ delivery: Delivery, status: String, reason: String, error: String?, payload: String?, now: Date,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason,
                                           error_message, payload, attempt, dedupe_key, created_at)
            VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            [delivery.reminderID, delivery.sagID, delivery.firedEventID.uuidString.lowercased(), delivery.recipientUserID,
             Self.recipientEmail(of: delivery), delivery.channel.rawValue, status, reason, error, payload.map { PostgresJSON($0) },
             delivery.attempt, "deliver:\(delivery.deliveryID):\(delivery.attempt):\(status)", now]
        )
    }

    private func enqueue(
        topic: String, key: String?, eventID: UUID, payload: String, headers: [String: String], availableAt: Date?,
        on connection: PostgresConnection
    ) async throws {
        let headerObject = JSONValue.object(headers.mapValues(JSONValue.string))
        try await connection.query(
            """
            INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers, available_at)
            VALUES ($1::uuid, $2, $3, $4::jsonb, $5::jsonb, COALESCE($6, clock_timestamp()))
            """,
            [eventID.uuidString.lowercased(), topic, key, PostgresJSON(payload), PostgresJSON(try headerObject.jsonText()), availableAt]
        )
    }

    /// The address a log row names: where an e-mail went, or a bare recipient.
    private static func recipientEmail(of delivery: Delivery) -> String? {
        if delivery.channel == .email { return delivery.toAddress ?? delivery.recipientEmail }
        return delivery.recipientUserID == nil ? delivery.recipientEmail : nil
    }
}
