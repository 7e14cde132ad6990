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

    @Test("a session planning once by key keeps reading a grown table by its index, though the table held five rows when the plan was made")
    func planOncePerSessionByKey() async throws {
        var configuration = try TestDatabase.configuration(maxConnections: 1)
        configuration.statementPlanning = .oncePerSessionByKey
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
        try await TestDatabase.withTable(client, columns: "id text PRIMARY KEY, n int NOT NULL DEFAULT 0") { table in
            try await client.withConnection { connection in
                let mode = try await connection.query("SHOW plan_cache_mode")[0].decode("plan_cache_mode", as: String.self)
                #expect(mode == "force_generic_plan")
                // Five rows, analysed: the shape of a pipeline table early in its life.
                try await connection.query("INSERT INTO \(table) (id) SELECT 'k' || g FROM generate_series(1, 5) AS g")
                try await connection.query("ANALYZE \(table)")
                // The batch shape the services use: a record set joined to the rows it names.
                let update = """
                    UPDATE \(table) t SET n = t.n + x.n
                      FROM jsonb_to_recordset($1::jsonb) AS x(id text, n int)
                     WHERE t.id = ANY($2::text[]) AND t.id = x.id
                    """
                let batch = PostgresJSON(#"[{"id": "k1", "n": 1}, {"id": "k2", "n": 1}]"#)
                try await connection.query(update, [batch, ["k1", "k2"]])
                // The table grows; nothing analyses it again before the next call.
                try await connection.query("INSERT INTO \(table) (id) SELECT 'k' || g FROM generate_series(6, 20000) AS g")
                // The session's scan counts not yet reported, read before and after the call.
                let counts = "SELECT seq_scan, COALESCE(idx_scan, 0) AS idx_scan FROM pg_stat_xact_user_tables WHERE relname = $1"
                let (before, after) = try await connection.withTransaction { transaction in
                    let before = try await transaction.query(counts, [table])[0]
                    try await transaction.query(update, [batch, ["k1", "k2"]])
                    return (before, try await transaction.query(counts, [table])[0])
                }
                // A plan made for five rows would scan all 20,000 on every call.
                #expect(try after.decode("seq_scan", as: Int.self) == before.decode("seq_scan", as: Int.self))
                #expect(try after.decode("idx_scan", as: Int.self) > before.decode("idx_scan", as: Int.self))
                let updated = try await connection.query("SELECT sum(n) AS total FROM \(table)")[0].decode("total", as: Int.self)
                #expect(updated == 4)
            }
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
