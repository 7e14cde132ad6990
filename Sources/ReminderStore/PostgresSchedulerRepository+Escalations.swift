import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Timestamps

extension PostgresSchedulerRepository {
    public func fireDueEscalations(limit: Int) async throws -> [EscalationOutcome] {
        try await postgres.inTransaction { connection in
            // Claimed with SKIP LOCKED and settled in this transaction: a step fires once,
            // however many schedulers run.
            let due = try await connection.query(
                """
                SELECT e.event_id, e.step, e.reminder_id, e.sag_id, e.fired_at, (r.escalation -> e.step)::text AS definition,
                       r.recipient_user_ids, (r.stopped_at IS NOT NULL OR r.deleted_at IS NOT NULL) AS stopped,
                       clock_timestamp() AS database_now
                  FROM sag_reminder_escalations e
                  JOIN sag_reminders r ON r.id = e.reminder_id
                 WHERE e.state = 'pending' AND e.due_at <= now()
                 ORDER BY e.due_at
                 LIMIT $1
                   FOR UPDATE OF e SKIP LOCKED
                """,
                [limit]
            )
            guard !due.isEmpty else { return [] }
            let reminderIDs = Set(try due.map { try $0.decode("reminder_id", as: Int.self) })
            let reactions = try await loadReactions(of: Array(reminderIDs), on: connection)
            // The database's clock, which chose these rows as due.
            let now = max(Date(), try due[0].decode("database_now", as: Date.self))

            var outcomes: [EscalationOutcome] = []
            var settled: [JSONValue] = []
            var logRows: [JSONValue] = []
            var fired: [JSONValue] = []
            for row in due {
                let eventID: UUID = try row.decode("event_id")
                let index: Int = try row.decode("step")
                let reminderID: Int = try row.decode("reminder_id")
                let sagID: Int = try row.decode("sag_id")
                let firedAt: Date = try row.decode("fired_at")
                let eventText = eventID.uuidString.lowercased()
                // A step edited away since the firing stops with a reason like any other.
                let definition = try row.decode("definition", as: String?.self)
                    .flatMap { try? JSONDecoder().decode(EscalationStep.self, from: Data($0.utf8)) }
                let decision: EscalationDecision
                if let definition {
                    decision = EscalationPlanner.decide(
                        step: definition, index: index, firedAt: firedAt, now: now,
                        recipients: Set(try row.decode("recipient_user_ids", as: [Int].self)),
                        reactions: reactions[reminderID] ?? [], settled: false, reminderStopped: try row.decode("stopped")
                    )
                } else {
                    decision = .stop(reason: "escalation step \(index + 1) stopped: the reminder no longer has this step")
                }
                let common: [String: JSONValue] = [
                    "event_id": .string(eventText), "step": .integer(Int64(index)),
                    "reminder_id": .integer(Int64(reminderID)), "sag_id": .integer(Int64(sagID)),
                ]
                switch decision {
                case .wait, .settled:
                    continue
                case .stop(let reason):
                    settled.append(.object(common.merging(["state": .string("stopped"), "reason": .string(reason), "fired_event_ids": .array([])]) { $1 }))
                    logRows.append(.object(common.merging([
                        "status": .string("escalation_stopped"), "reason": .string(reason),
                        "dedupe_key": .string("escalation:\(eventText):\(index)"),
                    ]) { $1 }))
                    outcomes.append(EscalationOutcome(eventID: eventID, step: index, reminderID: reminderID, fired: false, reason: reason))
                case .fire(let reason):
                    var ids: [JSONValue] = []
                    for user in definition?.toUserIDs ?? [] {
                        let id = UUID().uuidString.lowercased()
                        ids.append(.string(id))
                        fired.append(.object(common.merging([
                            "new_event_id": .string(id), "user_id": .integer(Int64(user)),
                            "channels": .array((definition?.channels ?? []).map { .string($0.rawValue) }),
                        ]) { $1 }))
                    }
                    settled.append(.object(common.merging(["state": .string("fired"), "reason": .string(reason), "fired_event_ids": .array(ids)]) { $1 }))
                    logRows.append(.object(common.merging([
                        "status": .string("escalated"), "reason": .string(reason),
                        "dedupe_key": .string("escalation:\(eventText):\(index)"),
                    ]) { $1 }))
                    outcomes.append(EscalationOutcome(eventID: eventID, step: index, reminderID: reminderID, fired: true, reason: reason))
                }
            }
            try await recordEscalations(settled: settled, logRows: logRows, fired: fired, on: connection)
            return outcomes
        }
    }

    /// Acknowledgements and dismissals of `reminderIDs`, by reminder.
    private func loadReactions(of reminderIDs: [Int], on connection: PostgresConnection) async throws -> [Int: [EscalationPlanner.Reaction]] {
        let rows = try await connection.query(
            """
            SELECT reminder_id, user_id, status, created_at FROM sag_reminder_logs
             WHERE reminder_id = ANY($1) AND status IN ('acknowledged', 'dismissed') AND user_id IS NOT NULL
            """,
            [reminderIDs]
        )
        var reactions: [Int: [EscalationPlanner.Reaction]] = [:]
        for row in rows {
            guard let kind = EscalationPlanner.Reaction.Kind(rawValue: try row.decode("status")) else { continue }
            reactions[try row.decode("reminder_id"), default: []].append(
                EscalationPlanner.Reaction(userID: try row.decode("user_id"), kind: kind, at: try row.decode("created_at"))
            )
        }
        return reactions
    }

    private func recordEscalations(settled: [JSONValue], logRows: [JSONValue], fired: [JSONValue], on connection: PostgresConnection) async throws {
        guard !settled.isEmpty else { return }
        try await connection.query(
            """
            UPDATE sag_reminder_escalations e
               SET state = x.state, reason = x.reason, settled_at = clock_timestamp(),
                   fired_event_ids = ARRAY(SELECT jsonb_array_elements_text(x.fired_event_ids)::uuid)
              FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, step INTEGER, state TEXT, reason TEXT, fired_event_ids JSONB)
             WHERE e.event_id = x.event_id AND e.step = x.step AND e.state = 'pending'
            """,
            [PostgresJSON(try JSONValue.array(settled).jsonText())]
        )
        try await connection.query(
            """
            INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, status, reason, dedupe_key, created_at)
            SELECT x.reminder_id, x.sag_id, x.event_id, x.status, x.reason, x.dedupe_key, clock_timestamp()
              FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, sag_id INTEGER, event_id UUID, status TEXT,
                   reason TEXT, dedupe_key TEXT)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            [PostgresJSON(try JSONValue.array(logRows).jsonText())]
        )
        guard !fired.isEmpty else { return }
        // Each step's users get a firing of their own, through the queue and the outbox like
        // any firing: the dispatcher applies preferences, quiet hours and the rate limit.
        let rows = try await connection.query(
            """
            WITH f AS (
                SELECT x.*, jsonb_build_object(
                           'event_id', x.new_event_id,
                           'event_type', 'escalation',
                           'reminder_id', x.reminder_id,
                           'sag_id', x.sag_id,
                           'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           'recipient_user_id', x.user_id,
                           'channels', x.channels,
                           'escalation_step', x.step,
                           'escalated_event_id', x.event_id
                       ) AS payload
                  FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, step INTEGER, reminder_id INTEGER, sag_id INTEGER,
                       new_event_id UUID, user_id INTEGER, channels JSONB)
            ), queued AS (
                INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data, recipient_user_id)
                SELECT new_event_id, reminder_id, sag_id, 'escalation', payload, user_id FROM f
            )
            SELECT new_event_id, reminder_id, payload::text AS payload FROM f
            """,
            [PostgresJSON(try JSONValue.array(fired).jsonText())]
        )
        try await OutboxWriter.insert(try rows.map { row in
            OutboxRow(
                eventID: try row.decode("new_event_id"), topic: TopicName.fired, key: String(try row.decode("reminder_id", as: Int.self)),
                payload: try row.decode("payload"), headers: ["event_type": "escalation"]
            )
        }, on: connection)
    }
}
