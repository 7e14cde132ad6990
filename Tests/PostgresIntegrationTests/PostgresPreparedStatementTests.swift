import Foundation
import Postgres
import Testing

@Suite("Prepared statements", .timeLimit(.minutes(1)))
struct PostgresPreparedStatementTests {
    /// The session's prepared statements whose text is `sql`.
    private func preparedCount(of sql: String, on connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1", [sql])[0]
            .decode("n", as: Int.self)
    }

    @Test("a statement with parameters is prepared once per session and then reused; one without parameters is not prepared")
    func preparedOncePerSession() async throws {
        let client = try TestDatabase.client(maxConnections: 1)
        try await client.withConnection { connection in
            let sql = "SELECT $1::int + 1 AS n"
            for value in 0..<10 {
                let sum = try await connection.query(sql, [value])[0].decode("n", as: Int.self)
                #expect(sum == value + 1)
            }
            let prepared = try await preparedCount(of: sql, on: connection)
            #expect(prepared == 1)
            let plain = "SELECT 41 + 1 AS n"
            let answer = try await connection.query(plain)[0].decode("n", as: Int.self)
            #expect(answer == 42)
            let preparedPlain = try await preparedCount(of: plain, on: connection)
            #expect(preparedPlain == 0)
            // Each call is still planned for its own parameters.
            let mode = try await connection.query("SHOW plan_cache_mode")[0].decode("plan_cache_mode", as: String.self)
            #expect(mode == "force_custom_plan")
        }
    }

    @Test("a statement that fails to prepare reports the server's error and is prepared on a later, valid use")
    func failedPrepareIsNotRemembered() async throws {
        let client = try TestDatabase.client(maxConnections: 1)
        try await client.withConnection { connection in
            let missing = TestDatabase.uniqueName("later")
            let sql = "SELECT count(*) AS n FROM \(missing) WHERE a = $1"
            await #expect(throws: PostgresError.self) { try await connection.query(sql, [1]) }
            try await connection.query("CREATE TEMP TABLE \(missing) (a int)")
            try await connection.query("INSERT INTO \(missing) VALUES ($1)", [1])
            let found = try await connection.query(sql, [1])[0].decode("n", as: Int.self)
            #expect(found == 1)
        }
    }

    @Test("a table that changes shape under a prepared statement fails that one call; the next call prepares it afresh")
    func changedTableIsPreparedAgain() async throws {
        let client = try TestDatabase.client(maxConnections: 1)
        try await TestDatabase.withTable(client, columns: "a int") { table in
            try await client.withConnection { connection in
                try await connection.query("INSERT INTO \(table) VALUES ($1)", [1])
                let sql = "SELECT * FROM \(table) WHERE a = $1"
                let before = try await connection.query(sql, [1]).columns
                #expect(before == ["a"])
                try await connection.query("ALTER TABLE \(table) ADD COLUMN b int")
                let error = await #expect(throws: PostgresError.self) { try await connection.query(sql, [1]) }
                #expect(error?.sqlState == "0A000")
                let after = try await connection.query(sql, [1]).columns
                #expect(after == ["a", "b"])
            }
        }
    }
}
