import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Synchronization
import Timestamps

/// The delivery workers' transactions on PostgreSQL.
///
/// Correct with several workers per channel and with redelivered messages:
/// each recording claims the delivery's row with an upsert that only
/// succeeds for a new attempt of an unfinished delivery, and that row lock
/// serialises rival transactions.
public struct PostgresDeliveryRepository: DeliveryRepository {
    let postgres: PostgresClient

    /// How a worker's sessions plan: once, by key, as the dispatcher's do
    /// (``PostgresDispatchRepository/statementPlanning``): claims, notes and
    /// outcomes name their deliveries, and the delivery tables start empty.
    public static let statementPlanning = StatementPlanning.oncePerSessionByKey

    /// Queries through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    public func deliver(
        _ deliveries: [Delivery], now: Date, act: @Sendable ([Delivery]) async throws -> [DeliveryResult]
    ) async throws -> [DeliveryRecord] {
        let candidates = Self.latestAttempts(of: deliveries) { $0 }
        guard !candidates.isEmpty else { return [] }
        let acted = Mutex<[DeliveryRecord]?>(nil)
        do {
            return try await postgres.inTransaction { connection in
                let claimed = try await claim(candidates, on: connection)
                let owned = candidates.filter { claimed.ids.contains($0.deliveryID) }
                guard !owned.isEmpty else { return [] }
                // Sent before by a worker that died before recording them.
                let recovered = owned.compactMap { delivery in
                    claimed.accepted[delivery.deliveryID].map { DeliveryRecord(delivery: delivery, result: .sent(messageID: $0)) }
                }
                // A person stopped the reminder (deleted or deactivated it) after it was
                // dispatched: what was not sent yet is not sent at all.
                let stopped = owned.filter { claimed.accepted[$0.deliveryID] == nil && claimed.stopped.contains($0.deliveryID) }.map {
                    DeliveryRecord(delivery: $0, result: .skipped(reason: Self.stoppedReason))
                }
                let toAct = owned.filter { claimed.accepted[$0.deliveryID] == nil && !claimed.stopped.contains($0.deliveryID) }
                let results = toAct.isEmpty ? [] : try await act(toAct)
                guard results.count == toAct.count else {
                    throw StoreError(.unexpectedData, "\(results.count) results for \(toAct.count) claimed deliveries")
                }
                let records = recovered + stopped + zip(toAct, results).map { DeliveryRecord(delivery: $0, result: $1) }
                acted.withLock { $0 = records }
                // Stamped when recorded, after the sends (which may take a while), not when claimed.
                try await write(records, now: toAct.isEmpty ? now : max(now, Date()), on: connection)
                return records
            }
        } catch {
            guard let records = acted.withLock({ $0 }) else { throw error }
            throw UnrecordedDeliveries(records: records, underlying: error)
        }
    }

    public func record(_ records: [DeliveryRecord], now: Date) async throws -> [DeliveryRecord] {
        let latest = Self.latestAttempts(of: records, \.delivery)
        guard !latest.isEmpty else { return [] }
        return try await postgres.inTransaction { connection in
            let claimed = try await claim(latest.map(\.delivery), on: connection)
            let owned = latest.filter { claimed.ids.contains($0.delivery.deliveryID) }
            try await write(owned, now: now, on: connection)
            return owned
        }
    }

    /// Committed without waiting for the WAL flush (`synchronous_commit` off
    /// for this statement alone): the note guards against the worker dying,
    /// not the database, and a database crash fails the batch anyway.
    public func noteAccepted(_ acceptances: [DeliveryAcceptance]) async throws {
        guard !acceptances.isEmpty else { return }
        let rows: [JSONValue] = acceptances.map {
            .object([
                "delivery_id": .string($0.deliveryID), "attempt": .integer(Int64($0.attempt)),
                "message_id": $0.messageID.map(JSONValue.string) ?? .null,
            ])
        }
        try await postgres.query(
            """
            INSERT INTO sag_reminder_delivery_acceptances (delivery_id, attempt, message_id)
            SELECT x.delivery_id, x.attempt, x.message_id
              FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed,
                   jsonb_to_recordset($1::jsonb) AS x(delivery_id TEXT, attempt INTEGER, message_id TEXT)
            ON CONFLICT DO NOTHING
            """,
            [PostgresJSON(try JSONValue.array(rows).jsonText())]
        )
    }

    /// For each delivery id, the item with the highest attempt, in first-seen
    /// order: an older attempt beside it in the same batch has nothing left to do.
    static func latestAttempts<Item>(of items: [Item], _ delivery: (Item) -> Delivery) -> [Item] {
        var latest: [String: Item] = [:]
        var order: [String] = []
        for item in items {
            let id = delivery(item).deliveryID
            if let known = latest[id] {
                if delivery(known).attempt < delivery(item).attempt { latest[id] = item }
            } else {
                latest[id] = item
                order.append(id)
            }
        }
        return order.map { latest[$0]! }
    }

    public func parkUnreadable(_ letter: DeadLetter, channel: Channel, deadLetterTopic: String, now: Date) async throws -> Bool {
        let letter = letter.sanitised()
        return try await postgres.inTransaction { connection in
            let key = "unreadable:\(letter.sourceTopic):\(letter.sourcePartition ?? -1):\(letter.sourceOffset ?? -1)"
            let inserted = try await connection.query(
                """
                INSERT INTO sag_reminder_logs (event_id, channel, status, reason, error_message, dedupe_key, created_at)
                VALUES ($1::uuid, $2, 'failed', 'unreadable delivery message; parked on the dead-letter topic', $3, $4, $5)
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """,
                [UUID(uuidString: letter.eventID).map { $0.uuidString.lowercased() }, channel.rawValue,
                 letter.reason, key, now]
            )
            guard !inserted.isEmpty else { return false }
            try await OutboxWriter.insert([
                try DeliveryOutbox.row(
                    for: letter, topic: deadLetterTopic, headers: [MessageHeader.sourceEventID: letter.eventID, MessageHeader.reason: letter.reason]
                ),
            ], on: connection)
            return true
        }
    }

    public func replay(_ request: DeliveryReplay, now: Date) async throws -> Bool {
        try await postgres.inTransaction { connection in
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
                 recipientEmail, delivery?.channel.rawValue, StoredText.reason("dead letter replayed (it had failed: \(request.reason))"),
                 "replay:" + request.letterKey, now]
            )
            guard !inserted.isEmpty else { return false }
            var headers: [String: String] = [:]
            if let delivery { headers[MessageHeader.deliveryID] = delivery.deliveryID }
            var row = OutboxRow(eventID: request.eventID, topic: request.topic, key: request.key, payload: request.payload, headers: headers)
            if let bytes = request.payloadBytes {
                row = try OutboxRow(eventID: request.eventID, topic: request.topic, key: request.key, bytes: bytes, headers: headers)
            }
            try await OutboxWriter.insert([row], on: connection)
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

    /// Claims the rows of `deliveries` for this transaction, in delivery id
    /// order (so rival batches cannot deadlock): inserts each, or locks it when
    /// the delivery is unfinished and this attempt is new. Returns the ids
    /// claimed; the others were handled before. A rival transaction holding
    /// one of them makes this wait until it ends. `accepted` names the claimed
    /// ones whose send of this very attempt was noted as accepted, with the
    /// Message-ID. Whether a reminder was stopped is read by key per row: as
    /// an EXISTS in the select list PostgreSQL may hash it, reading every
    /// reminder for each batch.
    private func claim(_ deliveries: [Delivery], on connection: PostgresConnection) async throws -> Claim {
        guard !deliveries.isEmpty else { return Claim() }
        let rows: [JSONValue] = deliveries.map { delivery in
            .object([
                "delivery_id": .string(delivery.deliveryID),
                "channel": .string(delivery.channel.rawValue),
                "reminder_id": .integer(Int64(delivery.reminderID)),
                "sag_id": .integer(Int64(delivery.sagID)),
                "user_id": delivery.recipientUserID.map { .integer(Int64($0)) } ?? .null,
                "recipient_email": Self.recipientEmail(of: delivery).map(JSONValue.string) ?? .null,
                "attempt": .integer(Int64(delivery.attempt)),
                "event_id": .string(delivery.eventID.uuidString.lowercased()),
            ])
        }
        let claimed = try await connection.query(
            """
            WITH claimed AS (
                INSERT INTO sag_reminder_deliveries AS d (delivery_id, channel, reminder_id, sag_id, user_id, recipient_email,
                                                          status, handled_attempt, last_event_id)
                SELECT x.delivery_id, x.channel, x.reminder_id, x.sag_id, x.user_id, x.recipient_email, 'retrying', x.attempt,
                       x.event_id
                  FROM jsonb_to_recordset($1::jsonb) AS x(delivery_id TEXT, channel TEXT, reminder_id INTEGER, sag_id INTEGER,
                       user_id INTEGER, recipient_email TEXT, attempt INTEGER, event_id UUID)
                 ORDER BY x.delivery_id
                ON CONFLICT (delivery_id) DO UPDATE SET updated_at = clock_timestamp()
                 WHERE d.status NOT IN ('sent', 'dry_run', 'skipped', 'dead') AND d.handled_attempt < EXCLUDED.handled_attempt
                RETURNING delivery_id, reminder_id
            )
            SELECT c.delivery_id, a.attempt AS accepted_attempt, a.message_id,
                   COALESCE((SELECT r.stopped_at IS NOT NULL FROM sag_reminders r WHERE r.id = c.reminder_id), FALSE) AS stopped
              FROM claimed c
              LEFT JOIN sag_reminder_delivery_acceptances a ON a.delivery_id = c.delivery_id
            """,
            [PostgresJSON(try JSONValue.array(rows).jsonText())]
        )
        let attempts = Dictionary(deliveries.map { ($0.deliveryID, $0.attempt) }) { first, _ in first }
        var claim = Claim()
        for row in claimed {
            let id = try row.decode("delivery_id", as: String.self)
            claim.ids.insert(id)
            if try row.decode("stopped", as: Bool.self) { claim.stopped.insert(id) }
            if let accepted = try row.decode("accepted_attempt", as: Int?.self), accepted == attempts[id] {
                claim.accepted.updateValue(try row.decode("message_id", as: String?.self), forKey: id)
            }
        }
        return claim
    }

    /// What ``claim(_:on:)`` got.
    private struct Claim {
        var ids: Set<String> = []
        /// Claimed deliveries whose send of this attempt was accepted before: Message-ID (or nil).
        var accepted: [String: String?] = [:]
        /// Claimed deliveries whose reminder a person stopped.
        var stopped: Set<String> = []
    }

    /// Writes claimed deliveries' outcomes: their rows and log rows in one
    /// statement, then retries and dead letters through the outbox. (In-app
    /// deliveries never come here: ``InboxWriter`` writes them.)
    private func write(_ records: [DeliveryRecord], now: Date, on connection: PostgresConnection) async throws {
        guard !records.isEmpty else { return }
        var states: [JSONValue] = []
        var logs: [JSONValue] = []
        var outbox: [OutboxRow] = []
        for record in records {
            let delivery = record.delivery
            let entry = Self.logEntry(for: record)
            states.append(.object([
                "delivery_id": .string(delivery.deliveryID),
                "status": .string(record.result.status.rawValue),
                "attempt": .integer(Int64(delivery.attempt)),
                "event_id": .string(delivery.eventID.uuidString.lowercased()),
                "error": entry.error.map(JSONValue.string) ?? .null,
                "message_id": entry.messageID.map(JSONValue.string) ?? .null,
            ]))
            logs.append(.object([
                "reminder_id": .integer(Int64(delivery.reminderID)),
                "sag_id": .integer(Int64(delivery.sagID)),
                "event_id": .string(delivery.firedEventID.uuidString.lowercased()),
                "user_id": delivery.recipientUserID.map { .integer(Int64($0)) } ?? .null,
                "recipient_email": Self.recipientEmail(of: delivery).map(JSONValue.string) ?? .null,
                "channel": .string(delivery.channel.rawValue),
                "status": .string(record.result.logStatus),
                "reason": .string(entry.reason),
                "error_message": entry.error.map(JSONValue.string) ?? .null,
                "payload": entry.payload ?? .null,
                "attempt": .integer(Int64(delivery.attempt)),
                "dedupe_key": .string("deliver:\(delivery.deliveryID):\(delivery.attempt):\(record.result.logStatus)"),
            ]))
            switch record.result {
            case .retry(_, let next, let availableAt):
                outbox.append(try DeliveryOutbox.row(for: next, availableAt: availableAt))
            case .dead(let why, let letter, let topic):
                outbox.append(try DeliveryOutbox.row(
                    for: letter, topic: topic,
                    headers: ["delivery_id": delivery.deliveryID, "source_event_id": letter.eventID, "reason": why]
                ))
            default:
                break
            }
        }
        try await connection.query(
            """
            WITH states AS (
                UPDATE sag_reminder_deliveries d
                   SET status = x.status, handled_attempt = x.attempt, last_event_id = x.event_id, last_error = x.error,
                       message_id = COALESCE(x.message_id, d.message_id), updated_at = clock_timestamp()
                  FROM jsonb_to_recordset($1::jsonb) AS x(delivery_id TEXT, status TEXT, attempt INTEGER, event_id UUID,
                       error TEXT, message_id TEXT)
                 WHERE d.delivery_id = ANY($2::text[]) AND d.delivery_id = x.delivery_id
            ), logs AS (
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, recipient_email, channel, status, reason,
                                               error_message, payload, attempt, dedupe_key, created_at)
                SELECT x.reminder_id, x.sag_id, x.event_id, x.user_id, x.recipient_email, x.channel, x.status, x.reason,
                       x.error_message, x.payload, x.attempt, x.dedupe_key, $4
                  FROM jsonb_to_recordset($3::jsonb) AS x(reminder_id INTEGER, sag_id INTEGER, event_id UUID, user_id INTEGER,
                       recipient_email TEXT, channel TEXT, status TEXT, reason TEXT, error_message TEXT, payload JSONB,
                       attempt INTEGER, dedupe_key TEXT)
                ON CONFLICT (dedupe_key) DO NOTHING
            )
            DELETE FROM sag_reminder_delivery_acceptances WHERE delivery_id = ANY($2::text[])
            """,
            [PostgresJSON(try JSONValue.array(states).jsonText()), records.map(\.delivery.deliveryID),
             PostgresJSON(try JSONValue.array(logs).jsonText()), now]
        )
        try await OutboxWriter.insert(outbox, on: connection)
    }

    /// Why a claimed delivery of a reminder a person stopped is skipped.
    public static let stoppedReason = "the reminder was deleted or deactivated before it was sent"

    /// What the log row and the delivery's row say about an outcome.
    private static func logEntry(for record: DeliveryRecord) -> (reason: String, error: String?, messageID: String?, payload: JSONValue?) {
        switch record.result {
        case .sent(let id):
            return ("delivered", nil, id, nil)
        case .dryRun(let rendered):
            return ("dry run (REMINDERS_DRY_RUN=true): rendered, not sent", nil, nil, rendered)
        case .skipped(let why):
            return (why, nil, nil, nil)
        case .retry(let why, _, let availableAt):
            return ("attempt \(record.delivery.attempt + 1) failed; retrying at \(Timestamp.format(availableAt))", why, nil, nil)
        case .dead(let why, _, _):
            return (why, why, nil, nil)
        }
    }

    /// The address a log row names: where an e-mail went, or a bare recipient.
    private static func recipientEmail(of delivery: Delivery) -> String? {
        if delivery.channel == .email { return delivery.toAddress ?? delivery.recipientEmail }
        return delivery.recipientUserID == nil ? delivery.recipientEmail : nil
    }
}
