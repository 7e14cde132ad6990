import Postgres
import Testing

@Suite("Transactions", .timeLimit(.minutes(1)))
struct PostgresTransactionTests {
    struct Boom: Error {}

    @Test("withTransaction commits; a throwing body rolls back")
    func commitAndRollback() async throws {
        let client = try TestDatabase.client()
        try await TestDatabase.withTable(client, columns: "id int PRIMARY KEY") { table in
            let returned = try await client.withTransaction { connection in
                try await connection.query("INSERT INTO \(table) VALUES ($1)", [1])
                return "committed"
            }
            #expect(returned == "committed")

            let error = await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO \(table) VALUES ($1)", [2])
                    // Visible inside the transaction…
                    let inside = try await connection.query("SELECT count(*) AS n FROM \(table) WHERE id = 2")
                    #expect(try inside.first?.decode("n", as: Int.self) == 1)
                    throw Boom()
                }
            }
            // The body's error, reported as such; the rollback went through.
            #expect(error?.bodyError is Boom)
            #expect(error?.rollbackError == nil)
            #expect(error?.commitError == nil)
            #expect(error?.isRetriable == false)

            let ids = try await client.query("SELECT id FROM \(table) ORDER BY id").map { try $0.decode("id", as: Int.self) }
            // …but gone afterwards.
            #expect(ids == [1])
        }
    }

    @Test("a COMMIT the server refuses (a deferred constraint) is reported as the commit's error, and nothing is kept")
    func commitFailure() async throws {
        let client = try TestDatabase.client()
        try await TestDatabase.withTable(client, columns: "id int UNIQUE DEFERRABLE INITIALLY DEFERRED") { table in
            let error = await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction { connection in
                    // Both inserts pass; the uniqueness is checked only at COMMIT.
                    try await connection.query("INSERT INTO \(table) VALUES (1)")
                    try await connection.query("INSERT INTO \(table) VALUES (1)")
                }
            }
            #expect(error?.bodyError == nil)
            #expect(error?.rollbackError == nil)
            let commitError = try #require(error?.commitError as? PostgresError)
            #expect(commitError.sqlState == "23505")
            #expect(error?.isRetriable == false)
            let rows = try await client.query("SELECT count(*) AS n FROM \(table)")
            #expect(try rows.first?.decode("n", as: Int.self) == 0)
            // The pool still works afterwards.
            _ = try await client.withTransaction { try await $0.query("INSERT INTO \(table) VALUES (2)") }
        }
    }

    @Test("a connection lost inside the body is reported with both the body's and the ROLLBACK's error")
    func brokenConnectionDuringRollback() async throws {
        let client = try TestDatabase.client()
        let admin = try TestDatabase.client()
        try await TestDatabase.withTable(admin, columns: "id int") { table in
            let error = await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO \(table) VALUES (1)")
                    let pid = try await connection.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
                    // Waits (up to 5 s) until the backend has gone.
                    try await admin.query("SELECT pg_terminate_backend($1, 5000)", [pid])
                    try await connection.query("SELECT 1")
                }
            }
            let bodyError = try #require(error?.bodyError as? PostgresError)
            let rollbackError = try #require(error?.rollbackError as? PostgresError)
            #expect(bodyError.code == .connection)
            #expect(rollbackError.code == .connection)
            #expect(error?.commitError == nil)
            // A lost connection: running the transaction again may succeed.
            #expect(error?.isRetriable == true)
            let rows = try await admin.query("SELECT count(*) AS n FROM \(table)")
            #expect(try rows.first?.decode("n", as: Int.self) == 0)
            // The broken connection was discarded, not handed out again.
            let value = try await client.withTransaction { try await $0.query("SELECT 2 AS v").first!.decode("v", as: Int.self) }
            #expect(value == 2)
        }
    }

    @Test("a SET LOCAL as the body's first statement holds for the transaction only, and a 4 MB first statement commits")
    func firstStatementIsInsideTheTransaction() async throws {
        let client = PostgresClient(configuration: try TestDatabase.configuration(maxConnections: 1), logger: TestDatabase.logger)
        let inside = try await client.withTransaction { connection in
            // Outside a transaction SET LOCAL would change nothing.
            try await connection.simpleQuery("SET LOCAL statement_timeout = '1234ms'")
            return try await connection.query("SHOW statement_timeout")[0].decode("statement_timeout", as: String.self)
        }
        #expect(inside == "1234ms")
        let after = try await client.query("SHOW statement_timeout")[0].decode("statement_timeout", as: String.self)
        #expect(after != "1234ms")
        try await TestDatabase.withTable(client, columns: "body text") { table in
            let large = String(repeating: "x", count: 4 << 20)
            _ = try await client.withTransaction { try await $0.query("INSERT INTO \(table) VALUES ($1)", [large]) }
            let length = try await client.query("SELECT length(body) AS n FROM \(table)")[0].decode("n", as: Int.self)
            #expect(length == 4 << 20)
        }
    }

    @Test("a first statement the server rejects fails the body with its own error, rolls back, and leaves the session usable")
    func failingFirstStatement() async throws {
        let client = PostgresClient(configuration: try TestDatabase.configuration(maxConnections: 1), logger: TestDatabase.logger)
        try await TestDatabase.withTable(client, columns: "id int PRIMARY KEY") { table in
            try await client.query("INSERT INTO \(table) VALUES (1)")
            let error = await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction { try await $0.query("INSERT INTO \(table) VALUES ($1)", [1]) }
            }
            let bodyError = try #require(error?.bodyError as? PostgresError)
            #expect(bodyError.sqlState == "23505")
            #expect(error?.rollbackError == nil)
            // The same session (the pool holds one) is idle and takes the next transaction.
            _ = try await client.withTransaction { try await $0.query("INSERT INTO \(table) VALUES ($1)", [2]) }
            let ids = try await client.query("SELECT id FROM \(table) ORDER BY id").map { try $0.decode("id", as: Int.self) }
            #expect(ids == [1, 2])
        }
    }

    @Test("a body that runs no statement returns its value, and one that throws before any statement reports only its error and leaves the session outside a transaction")
    func bodyWithoutStatements() async throws {
        let client = PostgresClient(configuration: try TestDatabase.configuration(maxConnections: 1), logger: TestDatabase.logger)
        let value = try await client.withTransaction { _ in 7 }
        #expect(value == 7)
        let error = await #expect(throws: PostgresTransactionError.self) {
            try await client.withTransaction { _ -> Int in throw Boom() }
        }
        #expect(error?.bodyError is Boom)
        #expect(error?.rollbackError == nil)
        // The session is left outside any transaction: a row it writes next is
        // committed at once, so another session sees it.
        let other = try TestDatabase.client(maxConnections: 1)
        try await TestDatabase.withTable(other, columns: "id int") { table in
            try await client.query("INSERT INTO \(table) VALUES ($1)", [1])
            let seen = try await other.query("SELECT count(*) AS n FROM \(table)")[0].decode("n", as: Int.self)
            #expect(seen == 1)
        }
    }

    @Test("a transaction left open in withConnection is rolled back before the connection is reused")
    func openTransactionIsNotLeaked() async throws {
        let client = PostgresClient(configuration: try TestDatabase.configuration(maxConnections: 1), logger: TestDatabase.logger)
        try await TestDatabase.withTable(client, columns: "id int") { table in
            try await client.withConnection { connection in
                try await connection.query("BEGIN")
                try await connection.query("INSERT INTO \(table) VALUES (1)")
            }
            // With one connection in the pool this reuses the same session, which would still see
            // its own uncommitted row had the transaction not been rolled back.
            let rows = try await client.query("SELECT count(*) AS n FROM \(table)")
            #expect(try rows.first?.decode("n", as: Int.self) == 0)
        }
    }
}
