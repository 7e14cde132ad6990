import Foundation
import Postgres
import ReminderDomain

extension PostgresGatewayStore {
    /// Whose rows a statistics query reads; each has an index of its own (migration 121).
    enum StatisticsScope {
        case sag(Int)
        case user(Int)

        var column: String {
            switch self {
            case .sag: "sag_id"
            case .user: "user_id"
            }
        }

        var id: Int {
            switch self {
            case .sag(let id), .user(let id): id
            }
        }
    }

    /// The outcome statuses, written out so that the query's condition is the partial indexes' own.
    static let outcomeStatuses = "('sent', 'failed', 'rate_limited', 'deferred', 'skipped', 'dry_run')"
    /// Most latencies one summary reads (the newest of the window).
    static let maximumLatencies = 100_000

    public func caseStatistics(sagID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics {
        try await statistics(.sag(sagID), filter: filter)
    }

    public func userStatistics(userID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics {
        try await statistics(.user(userID), filter: filter)
    }

    func statistics(_ scope: StatisticsScope, filter: StatisticsFilter) async throws -> DeliveryStatistics {
        let column = scope.column
        let bindings: [any PostgresBindable] = [scope.id, filter.from, filter.to, filter.outcome?.rawValue, filter.channel]
        let counted = try await postgres.query(
            """
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, channel, status, count(*)::int8 AS n
              FROM sag_reminder_logs
             WHERE \(column) = $1 AND created_at >= $2 AND created_at < $3
               AND status IN \(Self.outcomeStatuses)
               AND ($4::text IS NULL OR status = $4::text) AND ($5::text IS NULL OR channel = $5::text)
             GROUP BY 1, 2, 3
            """,
            bindings
        )
        var counts: [(channel: String?, outcome: DeliveryOutcome, count: Int)] = []
        var daily: [(date: String, outcome: DeliveryOutcome, count: Int)] = []
        for row in counted {
            guard let outcome = DeliveryOutcome(rawValue: try row.decode("status")) else { continue }
            let n: Int = try row.decode("n")
            counts.append((try row.decode("channel", as: String?.self), outcome, n))
            daily.append((try row.decode("day"), outcome, n))
        }

        let latencies = try await postgres.query(
            """
            SELECT (EXTRACT(EPOCH FROM l.created_at - f.fired_at) * 1000)::float8 AS ms
              FROM sag_reminder_logs l
             CROSS JOIN LATERAL (SELECT min(x.created_at) AS fired_at FROM sag_reminder_logs x
                                  WHERE x.event_id = l.event_id AND x.status = 'fired') f
             WHERE l.\(column) = $1 AND l.created_at >= $2 AND l.created_at < $3
               AND l.status IN \(Self.outcomeStatuses) AND l.status = 'sent'
               AND ($4::text IS NULL OR l.status = $4::text) AND ($5::text IS NULL OR l.channel = $5::text)
               AND f.fired_at IS NOT NULL
             ORDER BY l.created_at DESC
             LIMIT \(Self.maximumLatencies)
            """,
            bindings
        ).map { try $0.decode("ms", as: Double.self) }

        // Acknowledgement is an in-app matter: the inbox's entries in the window.
        var acknowledgement = AcknowledgementSummary(notified: 0, secondsToAcknowledge: [])
        if filter.channel == nil || filter.channel == "frontend" {
            let row = try await postgres.query(
                """
                SELECT count(*)::int8 AS notified,
                       COALESCE(array_agg(EXTRACT(EPOCH FROM acknowledged_at - created_at)::float8)
                                FILTER (WHERE acknowledged_at IS NOT NULL), '{}') AS seconds
                  FROM sag_reminder_inbox
                 WHERE \(column) = $1 AND created_at >= $2 AND created_at < $3
                """,
                [scope.id, filter.from, filter.to]
            )[0]
            acknowledgement = AcknowledgementSummary(notified: try row.decode("notified"), secondsToAcknowledge: try row.decode("seconds"))
        }
        return DeliveryStatistics(counts: counts, daily: daily, latency: LatencySummary(milliseconds: latencies), acknowledgement: acknowledgement)
    }

    /// The cursor is a log row id; the page continues below that row's (time, id). An id that is
    /// no log row starts at the newest.
    public func history(userID: Int, filter: StatisticsFilter, before: Int?, limit: Int) async throws -> [HistoryEntry] {
        try await postgres.query(
            """
            SELECT l.id, l.reminder_id, l.sag_id, r.title, l.event_id, l.channel, l.status, l.reason, l.created_at
              FROM sag_reminder_logs l
              LEFT JOIN sag_reminders r ON r.id = l.reminder_id
             WHERE l.user_id = $1 AND l.created_at >= $2 AND l.created_at < $3
               AND l.status IN \(Self.outcomeStatuses)
               AND ($4::text IS NULL OR l.status = $4::text) AND ($5::text IS NULL OR l.channel = $5::text)
               AND (l.created_at, l.id) < (SELECT COALESCE(max(c.created_at), 'infinity'), COALESCE(max(c.id), 9223372036854775807)
                                             FROM sag_reminder_logs c WHERE c.id = $6::int8)
             ORDER BY l.created_at DESC, l.id DESC
             LIMIT $7
            """,
            [userID, filter.from, filter.to, filter.outcome?.rawValue, filter.channel, before, limit]
        ).map { row in
            HistoryEntry(
                id: try row.decode("id"), reminderID: try row.decode("reminder_id", as: Int?.self), sagID: try row.decode("sag_id", as: Int?.self),
                title: try row.decode("title", as: String?.self), eventID: try row.decode("event_id", as: UUID?.self),
                channel: try row.decode("channel", as: String?.self),
                outcome: DeliveryOutcome(rawValue: try row.decode("status")) ?? .skipped, reason: try row.decode("reason", as: String?.self),
                createdAt: try row.decode("created_at")
            )
        }
    }
}
