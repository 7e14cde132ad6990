import Foundation
import Postgres
import ReminderContracts
import Testing

/// Rows the tests build on: a user, a case and reminders on it.
enum Fixtures {
    /// The first firing the status trigger or the scheduler wrote to the outbox, as the dispatcher reads it.
    static func firstFiredEvent(_ postgres: PostgresClient) async throws -> FiredEvent {
        let rows = try await postgres.query(
            "SELECT payload::text AS payload FROM reminder_outbox WHERE topic = 'reminders.fired' ORDER BY id LIMIT 1"
        )
        let payload = try #require(rows.first, "no firing in the outbox")
        return try MessageCoding.decode(FiredEvent.self, from: Array(try payload.decode("payload", as: String.self).utf8))
    }

    /// Sessions of this test's database waiting for an advisory lock. The
    /// lock table is the server's: other tests' databases (a standby relay,
    /// say) wait on locks of their own at the same time.
    static func advisoryLockWaiters(_ postgres: PostgresClient) async throws -> Int {
        let rows = try await postgres.query(
            """
            SELECT count(*) AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        )
        return try rows[0].decode("n", as: Int.self)
    }

    static func user(_ postgres: PostgresClient, name: String = "user-" + TestEnvironment.uniqueSuffix()) async throws -> Int {
        let rows = try await postgres.query(
            "INSERT INTO users (username, email) VALUES ($1, $2) RETURNING user_id", [name, "\(name)@example.test"]
        )
        return try rows[0].decode("user_id")
    }

    static func caseRow(_ postgres: PostgresClient, status: String = "ny") async throws -> Int {
        let rows = try await postgres.query("INSERT INTO sag_sager (titel, status) VALUES ('Test case', $1) RETURNING id", [status])
        return try rows[0].decode("id")
    }

    static func statusChangeReminder(
        _ postgres: PostgresClient, sagID: Int, targetStatus: String, recipients: [Int],
        isActive: Bool = true, deleted: Bool = false
    ) async throws -> Int {
        let rows = try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids, is_active, deleted_at)
            VALUES ($1, 'Status reminder', 'status_change', jsonb_build_object('target_status', $2::text), $3, $4,
                    CASE WHEN $5 THEN now() END)
            RETURNING id
            """,
            [sagID, targetStatus, recipients, isActive, deleted]
        )
        return try rows[0].decode("id")
    }
}
