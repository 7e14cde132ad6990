import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import Timestamps

extension PostgresSchedulerRepository {
    /// Sends the digests that are due, for up to `limit` users, in one
    /// transaction. Each user's rate window is locked as the dispatcher locks
    /// it, before any held row is read, so a digest and a firing never both
    /// take the last place in it, and two schedulers never split one user's
    /// held items between two digests: the second to get the lock finds them
    /// released. A digest carries everything held for its user, due or not.
    func releaseDueDigests(limit: Int, rateLimit: RateLimitWindow) async throws -> [HeldDigestRelease] {
        try await postgres.inTransaction { connection in
            let candidates = try await connection.query(
                """
                SELECT user_id FROM sag_reminder_held
                 WHERE released_at IS NULL AND next_attempt_at <= now()
                 GROUP BY user_id
                 ORDER BY min(next_attempt_at), user_id
                 LIMIT $1
                """,
                [limit]
            ).map { try $0.decode("user_id", as: Int.self) }
            guard !candidates.isEmpty else { return [] }
            // The same lock, key and order as the dispatcher's.
            let now = try await connection.query(
                """
                SELECT coalesce(max(clock_timestamp()), clock_timestamp()) AS locked_at
                  FROM (SELECT pg_advisory_xact_lock(hashtextextended('reminder-rate:' || key, 0))
                          FROM (SELECT key FROM unnest($1::text[]) AS key ORDER BY key) AS ordered) AS locked
                """,
                [candidates.map { RecipientKey.user($0).description }.sorted()]
            )[0].decode("locked_at", as: Date.self)
            // Read after the lock, so what another scheduler released or
            // postponed meanwhile is seen; a user none of whose items is due
            // any more is left for later.
            let held = try await connection.query(
                """
                SELECT h.event_id, h.user_id, h.reminder_id, h.sag_id, h.held_at
                  FROM sag_reminder_held h
                 WHERE h.user_id = ANY($1) AND h.released_at IS NULL
                   AND EXISTS (SELECT 1 FROM sag_reminder_held d
                                WHERE d.user_id = h.user_id AND d.released_at IS NULL AND d.next_attempt_at <= now())
                 ORDER BY h.held_at, h.event_id
                """,
                [candidates]
            )
            guard !held.isEmpty else { return [] }
            var byUser: [Int: [(event: UUID, reminder: Int, sag: Int, heldAt: Date)]] = [:]
            for row in held {
                byUser[try row.decode("user_id"), default: []].append((
                    try row.decode("event_id"), try row.decode("reminder_id"), try row.decode("sag_id"), try row.decode("held_at")
                ))
            }
            let users = byUser.keys.sorted()
            let recent = try await recentUserDispatches(users, since: now.addingTimeInterval(-rateLimit.window), on: connection)
            let profiles = try await digestProfiles(users, on: connection)
            let reminders = try await digestReminders(held, on: connection)

            var releases: [HeldDigestRelease] = []
            var postponed: [JSONValue] = []
            var released: [JSONValue] = []
            var logRows: [JSONValue] = []
            var deliveries: [Delivery] = []
            for user in users {
                let items = byUser[user]!
                let profile = profiles[user]
                let window = HeldDigestWindow(rateLimit: rateLimit, quietHours: profile?.quietHours)
                let release = window.releaseTime(previous: recent[user] ?? [], now: now)
                if release > now, items.contains(where: { now.timeIntervalSince($0.heldAt) < HeldDigest.horizon }) {
                    postponed.append(.object(["user_id": .integer(Int64(user)), "next_attempt_at": .string(Timestamp.format(release))]))
                    continue
                }
                let candidates = items.map { item in
                    let reminder = reminders[[item.reminder, user]]
                    let channels: Set<Channel> = if let reminder, let profile, profile.isActive {
                        ChannelPreferences.channels(user: profile.preferences, reminder: reminder.flags, overrideUserPreferences: reminder.override)
                    } else {
                        []
                    }
                    return HeldDigest.Item(
                        eventID: item.event, reminderID: item.reminder, sagID: item.sag, title: reminder?.title ?? "",
                        caseTitle: reminder?.caseTitle, priority: reminder?.priority ?? .normal, heldAt: item.heldAt,
                        channels: channels, isWithdrawn: reminder?.isWithdrawn ?? true
                    )
                }
                var digest = HeldDigest(held: candidates, now: now)
                let address = profile.flatMap { $0.emailOverride ?? $0.email }.flatMap { $0.isEmpty ? nil : $0 }
                if address == nil { digest.items = [] }
                let digestID = UUID()
                let carried = Set(digest.items.map(\.eventID))
                for item in items {
                    released.append(.object([
                        "event_id": .string(item.event.uuidString.lowercased()), "user_id": .integer(Int64(user)),
                        "digest_event_id": carried.contains(item.event) ? .string(digestID.uuidString.lowercased()) : .null,
                    ]))
                }
                guard let newest = digest.items.last, let address else { continue }
                let digestText = digestID.uuidString.lowercased()
                logRows.append(.object([
                    "reminder_id": .integer(Int64(newest.reminderID)), "sag_id": .integer(Int64(newest.sagID)),
                    "event_id": .string(digestText), "user_id": .integer(Int64(user)), "channel": .null,
                    "status": .string("dispatched"),
                    "reason": .string("digest of \(digest.items.count) held notifications; channels: email"),
                    "dedupe_key": .string("digest:\(digestText):user:\(user)"),
                ]))
                for item in digest.items {
                    logRows.append(.object([
                        "reminder_id": .integer(Int64(item.reminderID)), "sag_id": .integer(Int64(item.sagID)),
                        "event_id": .string(item.eventID.uuidString.lowercased()), "user_id": .integer(Int64(user)),
                        "channel": .string(Channel.email.rawValue), "status": .string("held"),
                        "reason": .string("held back by the rate limit; sent in digest \(digestText)"),
                        "dedupe_key": .string("held:\(item.eventID.uuidString.lowercased()):user:\(user)"),
                    ]))
                }
                deliveries.append(Delivery(
                    eventID: UUID(), deliveryID: "digest:\(digestText):user:\(user):email", firedEventID: digestID,
                    reminderID: newest.reminderID, sagID: newest.sagID, caseTitle: nil, channel: .email,
                    recipientUserID: user, recipientEmail: nil, toAddress: address, mattermostUsername: nil,
                    title: digest.title, message: digest.message, priority: digest.priority, notBefore: nil, firedAt: now
                ))
                releases.append(HeldDigestRelease(userID: user, digestEventID: digestID, items: digest.items.count))
            }
            try await recordDigests(
                postponed: postponed, released: released, logRows: logRows, deliveries: deliveries, now: now, on: connection
            )
            return releases
        }
    }

    private func recordDigests(
        postponed: [JSONValue], released: [JSONValue], logRows: [JSONValue], deliveries: [Delivery], now: Date,
        on connection: PostgresConnection
    ) async throws {
        if !postponed.isEmpty {
            try await connection.query(
                """
                UPDATE sag_reminder_held h SET next_attempt_at = x.next_attempt_at
                  FROM jsonb_to_recordset($1::jsonb) AS x(user_id INTEGER, next_attempt_at TIMESTAMPTZ)
                 WHERE h.user_id = x.user_id AND h.released_at IS NULL
                """,
                [PostgresJSON(try JSONValue.array(postponed).jsonText())]
            )
        }
        if !released.isEmpty {
            try await connection.query(
                """
                UPDATE sag_reminder_held h SET released_at = clock_timestamp(), digest_event_id = x.digest_event_id
                  FROM jsonb_to_recordset($1::jsonb) AS x(event_id UUID, user_id INTEGER, digest_event_id UUID)
                 WHERE h.event_id = x.event_id AND h.user_id = x.user_id AND h.released_at IS NULL
                """,
                [PostgresJSON(try JSONValue.array(released).jsonText())]
            )
        }
        if !logRows.isEmpty {
            try await connection.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, channel, status, reason, dedupe_key, created_at)
                SELECT x.reminder_id, x.sag_id, x.event_id, x.user_id, x.channel, x.status, x.reason, x.dedupe_key, $2
                  FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, sag_id INTEGER, event_id UUID, user_id INTEGER,
                       channel TEXT, status TEXT, reason TEXT, dedupe_key TEXT)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                [PostgresJSON(try JSONValue.array(logRows).jsonText()), now]
            )
        }
        try await DeliveryHandoff.handOn(deliveries, now: now, on: connection)
    }

    private func recentUserDispatches(_ users: [Int], since start: Date, on connection: PostgresConnection) async throws -> [Int: [Date]] {
        let rows = try await connection.query(
            """
            SELECT user_id, created_at FROM sag_reminder_logs
             WHERE status = 'dispatched' AND created_at > $2 AND user_id = ANY($1)
            """,
            [users, start]
        )
        var recent: [Int: [Date]] = [:]
        for row in rows { recent[try row.decode("user_id"), default: []].append(try row.decode("created_at")) }
        return recent
    }

    private func digestProfiles(_ users: [Int], on connection: PostgresConnection) async throws -> [Int: RecipientProfile] {
        let rows = try await connection.query(
            """
            SELECT u.user_id, u.email, u.is_active,
                   COALESCE(p.notify_email, FALSE) AS notify_email,
                   COALESCE(p.notify_mattermost, TRUE) AS notify_mattermost,
                   COALESCE(p.notify_frontend, TRUE) AS notify_frontend,
                   p.email_override,
                   COALESCE(p.quiet_hours_enabled, FALSE) AS quiet_hours_enabled,
                   to_char(p.quiet_hours_start, 'HH24:MI') AS quiet_hours_start,
                   to_char(p.quiet_hours_end, 'HH24:MI') AS quiet_hours_end,
                   COALESCE(p.timezone, $2) AS timezone
              FROM users u
              LEFT JOIN user_notification_preferences p ON p.user_id = u.user_id
             WHERE u.user_id = ANY($1)
            """,
            [users, defaultTimeZone]
        )
        var profiles: [Int: RecipientProfile] = [:]
        for row in rows {
            let quietHours = try row.quietHours(defaultTimeZone: defaultTimeZone)
            let id: Int = try row.decode("user_id")
            profiles[id] = RecipientProfile(
                userID: id, email: try row.decode("email", as: String?.self),
                preferences: ChannelFlags(
                    email: try row.decode("notify_email"), mattermost: try row.decode("notify_mattermost"),
                    frontend: try row.decode("notify_frontend")
                ),
                emailOverride: try row.decode("email_override", as: String?.self), mattermostUsername: nil,
                quietHours: quietHours, hasDismissed: false, snoozedUntil: nil, isActive: try row.decode("is_active")
            )
        }
        return profiles
    }

    /// What the digest needs of each held item's reminder, for its user: keyed by [reminder, user].
    private func digestReminders(_ held: PostgresRows, on connection: PostgresConnection) async throws -> [[Int]: DigestReminder] {
        var pairs: [JSONValue] = []
        for row in held {
            pairs.append(.object([
                "reminder_id": .integer(Int64(try row.decode("reminder_id", as: Int.self))),
                "user_id": .integer(Int64(try row.decode("user_id", as: Int.self))),
            ]))
        }
        let rows = try await connection.query(
            """
            SELECT DISTINCT x.reminder_id, x.user_id, r.title, r.priority, s.titel, r.notify_email, r.notify_mattermost,
                   r.notify_frontend, r.override_user_preferences,
                   (r.stopped_at IS NOT NULL OR r.deleted_at IS NOT NULL
                    OR EXISTS (SELECT 1 FROM sag_reminder_logs l
                                WHERE l.reminder_id = x.reminder_id AND l.user_id = x.user_id AND l.status = 'dismissed')) AS withdrawn
              FROM jsonb_to_recordset($1::jsonb) AS x(reminder_id INTEGER, user_id INTEGER)
              JOIN sag_reminders r ON r.id = x.reminder_id
              JOIN sag_sager s ON s.id = r.sag_id
            """,
            [PostgresJSON(try JSONValue.array(pairs).jsonText())]
        )
        var reminders: [[Int]: DigestReminder] = [:]
        for row in rows {
            reminders[[try row.decode("reminder_id"), try row.decode("user_id")]] = DigestReminder(
                title: try row.decode("title"), caseTitle: try row.decode("titel", as: String?.self),
                priority: Priority(rawValue: try row.decode("priority")) ?? .normal,
                flags: ChannelFlags(
                    email: try row.decode("notify_email", as: Bool?.self), mattermost: try row.decode("notify_mattermost", as: Bool?.self),
                    frontend: try row.decode("notify_frontend", as: Bool?.self)
                ),
                override: try row.decode("override_user_preferences"), isWithdrawn: try row.decode("withdrawn")
            )
        }
        return reminders
    }
}
