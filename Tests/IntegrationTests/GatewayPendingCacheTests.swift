import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import ReminderGateway
import Testing

/// pending/me answers from memory, and never shows what a change answered
/// before the poll removed: the gateway's own writes drop the caller's list
/// before they answer, and changes made elsewhere (another replica, the
/// pipeline, SQL) arrive through LISTEN.
@Suite("Gateway pending list from memory", .timeLimit(.minutes(2)))
struct GatewayPendingCacheTests {
    func pendingIDs(_ client: any TestClientProtocol, _ token: String) async throws -> [Int] {
        let response = try await client.call(.get, "/api/v1/reminders/pending/me", token: token)
        #expect(response.status == .ok)
        return response.array.compactMap { $0["id"] as? Int }
    }

    /// An inbox row written with triggers off for the session: nobody is told of it.
    func silentEntry(_ postgres: PostgresClient, reminder: Int, sag: Int, user: Int) async throws -> Int {
        try await postgres.withConnection { connection in
            try await connection.query("SET session_replication_role = replica")
            let id = try await connection.query(
                """
                INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority)
                VALUES ('silent-' || gen_random_uuid(), gen_random_uuid(), $1, $2, $3, 'unannounced', 'normal') RETURNING id
                """,
                [reminder, sag, user]
            )[0].decode("id", as: Int.self)
            try await connection.query("SET session_replication_role = origin")
            return id
        }
    }

    @Test("a poll is answered from memory until a change is announced")
    func servedFromMemory() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let reminder = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            // Unannounced rows: the first poll reads the database; the second one, after a
            // second unannounced row, must come from memory to miss it.
            let first = try await silentEntry(gateway.postgres, reminder: reminder, sag: sag, user: alice)
            #expect(try await pendingIDs(client, token) == [first])
            _ = try await silentEntry(gateway.postgres, reminder: reminder, sag: sag, user: alice)
            #expect(try await pendingIDs(client, token) == [first])
            // An announced one (as the dispatcher writes it) drops the list.
            let announced = try await gateway.inboxEntry(reminder: reminder, sag: sag, user: alice)
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token).first == announced })
        }
    }

    @Test("after a dismiss, acknowledge or snooze answers, the next poll no longer shows the entry")
    func ownWrites() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            for action in ["dismiss", "acknowledge", "snooze"] {
                let reminder = try await createReminder(client, token: token, sag: sag, recipients: [alice])
                let entry = try await gateway.inboxEntry(reminder: reminder, sag: sag, user: alice)
                #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token).contains(entry) })
                let answer = try await client.call(.post, "/api/v1/sag/reminders/\(reminder)/\(action)", token: token,
                                                   json: action == "snooze" ? ["minutes": 15] : nil)
                #expect(answer.status == .ok)
                // Immediately: no waiting for a notification.
                #expect(try await !pendingIDs(client, token).contains(entry), "\(action)")
            }
        }
    }

    @Test("changes made elsewhere (SQL, another replica) reach the list; a snoozed entry comes back when its time comes")
    func changesFromElsewhere() async throws {
        try await GatewayHarness.with { gateway, client in
            let alice = try await gateway.user()
            let token = gateway.token(alice)
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let kept = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            let other = try await createReminder(client, token: token, sag: sag, recipients: [alice])
            let keptEntry = try await gateway.inboxEntry(reminder: kept, sag: sag, user: alice)
            let otherEntry = try await gateway.inboxEntry(reminder: other, sag: sag, user: alice)
            #expect(try await eventually(timeout: .seconds(20)) { Set(try await pendingIDs(client, token)) == [keptEntry, otherEntry] })

            try await gateway.postgres.query("UPDATE sag_reminder_inbox SET dismissed_at = now() WHERE id = $1", [otherEntry])
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token) == [keptEntry] })

            try await gateway.postgres.query("UPDATE sag_reminders SET stopped_at = now() WHERE id = $1", [kept])
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token).isEmpty })
            try await gateway.postgres.query("UPDATE sag_reminders SET stopped_at = NULL WHERE id = $1", [kept])
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token) == [keptEntry] })

            // Snoozed for a moment, elsewhere: hidden, then back without any write.
            try await gateway.postgres.query(
                "UPDATE sag_reminder_inbox SET snoozed_until = clock_timestamp() + interval '1500 milliseconds' WHERE id = $1", [keptEntry]
            )
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token).isEmpty })
            #expect(try await eventually(timeout: .seconds(20)) { try await pendingIDs(client, token) == [keptEntry] })
        }
    }
}
