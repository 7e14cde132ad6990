import Foundation
import Postgres
import Testing

@Suite("Parameters and decoding", .timeLimit(.minutes(1)))
struct PostgresRoundTripTests {
    @Test("every bindable type round-trips through a parameterised insert and select, NULL included")
    func roundTripOfEveryType() async throws {
        let client = try TestDatabase.client()
        let uuid = UUID()
        // 2026-03-29T01:30:00.123456Z
        let timestamp = Date(timeIntervalSince1970: 1_774_747_800.123456)
        let awkward = "æøå \"double\" 'single' back\\slash \\N tab\there\nnewline"
        let strings = ["plain", "with,comma", "with \"quote\"", "back\\slash", "{brace}", "NULL", "", "æøå", " spaced "]

        try await TestDatabase.withTable(client, columns: """
            id int PRIMARY KEY, s text, i bigint, i32 int, i64 bigint, yes boolean, no boolean, d double precision,
            u uuid, ts timestamptz, ints int[], bigs bigint[], strs text[], js jsonb, nothing text, maybe int
            """) { table in
            let inserted = try await client.query(
                "INSERT INTO \(table) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                [
                    1, awkward, 9_000_000_000, Int32(-42), Int64(-5), true, false, 0.1,
                    uuid, timestamp, [1, -2, 3], [Int64.max, Int64.min], strings,
                    PostgresJSON(#"{"k": [1, "æøå"], "q": "\"\\"}"#), String?.none, Int?.some(7),
                ]
            )
            #expect(inserted.affectedRows == 1)

            let rows = try await client.query("SELECT *, ts::text AS ts_text FROM \(table) WHERE id = $1", [1])
            let row = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(try row.decode("s", as: String.self) == awkward)
            #expect(try row.decode("i", as: Int.self) == 9_000_000_000)
            #expect(try row.decode("i32", as: Int32.self) == -42)
            #expect(try row.decode("i64", as: Int64.self) == -5)
            #expect(try row.decode("yes", as: Bool.self) == true)
            #expect(try row.decode("no", as: Bool.self) == false)
            #expect(try row.decode("d", as: Double.self) == 0.1)
            #expect(try row.decode("u", as: UUID.self) == uuid)
            #expect(row["ts_text"] == "2026-03-29 01:30:00.123456+00")
            let decodedDate = try row.decode("ts", as: Date.self)
            #expect(abs(decodedDate.timeIntervalSince(timestamp)) < 0.000_001)
            #expect(try row.decode("ints", as: [Int].self) == [1, -2, 3])
            #expect(try row.decode("bigs", as: [Int64].self) == [Int64.max, Int64.min])
            #expect(try row.decode("strs", as: [String].self) == strings)
            #expect(try row.decode("js", as: String.self) == #"{"k": [1, "æøå"], "q": "\"\\"}"#)
            #expect(try row.decode("js", as: PostgresJSON.self) == PostgresJSON(#"{"k": [1, "æøå"], "q": "\"\\"}"#))
            #expect(row["nothing"] == nil)
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(try row.decode("maybe", as: Int?.self) == 7)
            #expect(throws: PostgresError.self) { try row.decode("nothing", as: String.self) }
            #expect(throws: PostgresError.self) { try row.decode("no_such_column", as: String.self) }
            #expect(throws: PostgresError.self) { try row.decode("s", as: Int.self) }
            #expect(row.columns.first == "id")
        }
    }

    @Test("array literals from the server with quoted elements and an empty array decode")
    func serverArrayLiterals() async throws {
        let client = try TestDatabase.client()
        let row = try #require(try await client.query(
            #"SELECT ARRAY['a b', 'c"d', 'e\f', 'g,h', 'plain']::text[] AS strs, '{}'::int[] AS empty, '[0:1]={5,6}'::int[] AS shifted"#
        ).first)
        #expect(try row.decode("strs", as: [String].self) == ["a b", "c\"d", "e\\f", "g,h", "plain"])
        #expect(try row.decode("empty", as: [Int].self) == [])
        #expect(try row.decode("shifted", as: [Int].self) == [5, 6])
    }

    @Test("random text arrays (quotes, backslashes, braces, NULL, multi-byte and combining characters) come back as sent")
    func randomTextArrays() async throws {
        let client = try TestDatabase.client()
        let pieces = ["\"", "\\", ",", "{", "}", " ", "NULL", "null", "a", "æ", "🙂", "e\u{301}", "\t", "\n", "'"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let count = Int.random(in: 0...12, using: &random)
            let elements: [String?] = (0..<count).map { _ in
                if Int.random(in: 0..<8, using: &random) == 0 { return nil }
                return (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            }
            let rows = try await client.query(
                "SELECT n, value FROM unnest($1::text[]) WITH ORDINALITY AS u(value, n) ORDER BY n", [elements]
            )
            let back = try rows.map { try $0.decode("value", as: String?.self) }
            // Byte for byte: Swift's String equality would let a composed and a decomposed form pass.
            #expect(back.map { $0.map { Array($0.utf8) } } == elements.map { $0.map { Array($0.utf8) } }, "\(elements)")
        }
    }

    @Test("an SQL injection attempt through a parameter is stored literally")
    func injectionIsStoredLiterally() async throws {
        let client = try TestDatabase.client()
        try await TestDatabase.withTable(client, columns: "id int, name text") { table in
            let attack = "x'); DROP TABLE \(table); --"
            try await client.query("INSERT INTO \(table) (id, name) VALUES ($1, $2)", [1, attack])
            try await client.query("INSERT INTO \(table) (id, name) VALUES (2, $1)", ["' OR '1'='1"])
            let stored = try await client.query("SELECT name FROM \(table) WHERE id = 1").first?.decode("name", as: String.self)
            #expect(stored == attack)
            let matches = try await client.query("SELECT count(*) AS n FROM \(table) WHERE name = $1", ["' OR '1'='1"])
            #expect(try matches.first?.decode("n", as: Int.self) == 1)
            let total = try await client.query("SELECT count(*) AS n FROM \(table)")
            #expect(try total.first?.decode("n", as: Int.self) == 2)
        }
    }

    @Test("server errors carry SQLSTATE and retriability, never SQL text")
    func serverErrors() async throws {
        let client = try TestDatabase.client()
        try await TestDatabase.withTable(client, columns: "id int PRIMARY KEY") { table in
            try await client.query("INSERT INTO \(table) VALUES ($1)", [1])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await client.query("INSERT INTO \(table) VALUES ($1)", [1])
            }
            #expect(duplicate?.code == .query)
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.isRetriable == false)
            #expect(duplicate?.description.contains("INSERT") == false)

            let syntax = await #expect(throws: PostgresError.self) {
                try await client.query("SELEC secret_column FROM \(table)")
            }
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.description.contains("secret_column") == false)
            #expect(syntax?.description.contains("SELEC") == false)

            // The pool still works after errors (the connection was returned in a clean state).
            #expect(try await client.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self) == 1)
        }
    }
}
