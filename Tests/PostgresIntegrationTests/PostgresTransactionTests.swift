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

            await #expect(throws: Boom.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO \(table) VALUES ($1)", [2])
                    // Visible inside the transaction…
                    let inside = try await connection.query("SELECT count(*) AS n FROM \(table) WHERE id = 2")
                    #expect(try inside.first?.decode("n", as: Int.self) == 1)
                    throw Boom()
                }
            }

            let ids = try await client.query("SELECT id FROM \(table) ORDER BY id").map { try $0.decode("id", as: Int.self) }
            // …but gone afterwards.
            #expect(ids == [1])
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
