import Postgres
import Testing

@Suite("Reconnect", .timeLimit(.minutes(1)))
struct PostgresReconnectTests {
    @Test("after the pool's backend is terminated, the pool replaces the connection")
    func poolReplacesTerminatedConnection() async throws {
        let applicationName = TestDatabase.uniqueName("pgreconnect")
        let client = try TestDatabase.client(applicationName: applicationName, maxConnections: 1)
        let admin = try TestDatabase.client()

        let firstPID = try #require(try await client.query("SELECT pg_backend_pid() AS pid").first).decode("pid", as: Int.self)
        let terminated = try await admin.query(
            "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1",
            [applicationName]
        )
        #expect(try terminated.map { try $0.decode("ok", as: Bool.self) } == [true])
        #expect(try await TestDatabase.eventually {
            try await TestDatabase.backendCount(admin, applicationName: applicationName) == 0
        })

        // The first query may fail (then it must say it is worth retrying) or already succeed.
        do {
            try await client.query("SELECT 1")
        } catch let error as PostgresError {
            #expect(error.isRetriable, "\(error)")
            #expect(error.code == .connection)
        }
        let secondPID = try #require(try await client.query("SELECT pg_backend_pid() AS pid").first).decode("pid", as: Int.self)
        #expect(secondPID != firstPID)
    }

    @Test("a query on a connection whose backend died fails as retriable and marks it broken")
    func brokenConnectionIsReported() async throws {
        let applicationName = TestDatabase.uniqueName("pgbroken")
        let admin = try TestDatabase.client()
        let connection = try await PostgresConnection.connect(
            configuration: try TestDatabase.configuration(applicationName: applicationName),
            logger: TestDatabase.logger
        )
        defer { connection.close() }
        try await connection.query("SELECT 1")
        try await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [applicationName])
        #expect(try await TestDatabase.eventually {
            try await TestDatabase.backendCount(admin, applicationName: applicationName) == 0
        })
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error?.isRetriable == true)
        #expect(connection.isBroken)
    }
}
