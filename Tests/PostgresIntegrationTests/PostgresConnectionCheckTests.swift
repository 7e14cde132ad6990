import Foundation
import Postgres
import Testing

@Suite("Connection check", .timeLimit(.minutes(1)))
struct PostgresConnectionCheckTests {
    @Test("checkConnection against a wrong port fails after one attempt, naming host and port but not the password")
    func wrongPort() async throws {
        let password = "pw-" + UUID().uuidString
        var configuration = PostgresConfiguration(url: "postgresql://reminders:\(password)@127.0.0.1:1/reminders_check")
        configuration.connectTimeout = .seconds(2)
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)

        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) { try await client.checkConnection() }
        // One refused attempt, not a retry loop (which would run into the suite's minute).
        // Not tighter: in a full parallel run the blocking connect waits for a free thread,
        // and a fresh-clone run measured 3.06 s.
        #expect(ContinuousClock.now - started < .seconds(15))
        let description = try #require(error).description
        #expect(description.hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:1 (database reminders_check, user reminders): "))
        #expect(!description.contains(password))
        #expect(!description.contains("\n"))
        #expect(error?.code == .connection)
        #expect(error?.isRetriable == true)
    }

    @Test("checkConnection succeeds against the configured server, and the session runs in UTC")
    func rightServer() async throws {
        let configuration = try TestDatabase.configuration()
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
        try await client.checkConnection()
        let row = try #require(try await client.query("SELECT current_setting('TimeZone') AS tz, current_setting('application_name') AS app").first)
        #expect(row["tz"] == "UTC")
        #expect(row["app"] == configuration.applicationName)
    }

    @Test("simpleQuery runs several statements at once")
    func simpleQueryScript() async throws {
        let client = try TestDatabase.client()
        let table = TestDatabase.uniqueName("script")
        try await client.withConnection { connection in
            try await connection.simpleQuery("CREATE TABLE \(table) (id int); INSERT INTO \(table) VALUES (1), (2);")
        }
        let count = try await client.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self)
        try await client.query("DROP TABLE \(table)")
        #expect(count == 2)
    }
}
