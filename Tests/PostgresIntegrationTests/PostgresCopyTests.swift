import Postgres
import Testing

@Suite("COPY", .timeLimit(.minutes(1)))
struct PostgresCopyTests {
    @Test("copyIn of 10,000 rows with NULLs, tabs, newlines and backslashes reads back equal")
    func copyInRoundTrip() async throws {
        let client = try TestDatabase.client()
        let awkward = ["tab\there", "line\nbreak", "back\\slash", "\\N", "crlf\r\n", "æøå", "", "quote\"'", "\\.", "end\\"]
        let rows: [[String?]] = (0..<10_000).map { index in
            [String(index), awkward[index % awkward.count] + String(index), index % 7 == 0 ? nil : "x\(index)"]
        }
        // A name that only works when quoted: mixed case and a space.
        let table = "Copy Target " + TestDatabase.uniqueName("t")
        try await TestDatabase.withTable(client, columns: "id int PRIMARY KEY, \"Text Value\" text, note text", name: table) { table in
            let copied = try await client.copyIn(table: table, columns: ["id", "Text Value", "note"], rows: rows)
            #expect(copied == 10_000)

            let readBack = try await client.query("SELECT id, \"Text Value\", note FROM \"\(table)\" ORDER BY id")
            let decoded: [[String?]] = try readBack.map { row in
                [String(try row.decode("id", as: Int.self)), row["Text Value"], row["note"]]
            }
            #expect(decoded.count == rows.count)
            #expect(decoded == rows)
        }
    }

    @Test("a failing COPY reports the server error and leaves the connection usable")
    func failingCopy() async throws {
        let client = try TestDatabase.client(maxConnections: 1)
        try await TestDatabase.withTable(client, columns: "id int NOT NULL") { table in
            let error = await #expect(throws: PostgresError.self) {
                try await client.copyIn(table: table, columns: ["id"], rows: [["1"], [nil]])
            }
            #expect(error?.sqlState == "23502")
            let count = try await client.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self)
            #expect(count == 0)
        }
    }
}
