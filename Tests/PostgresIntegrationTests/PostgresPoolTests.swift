import Postgres
import Testing

@Suite("Pool", .timeLimit(.minutes(1)))
struct PostgresPoolTests {
    @Test("with maxConnections = 2, 20 concurrent sleeps all succeed on at most 2 backends")
    func poolIsBounded() async throws {
        let applicationName = TestDatabase.uniqueName("pgpool")
        let client = try TestDatabase.client(applicationName: applicationName, maxConnections: 2)
        let admin = try TestDatabase.client()
        let started = ContinuousClock.now

        let (succeeded, maximumBackends) = try await withThrowingTaskGroup(of: Int?.self) { group in
            // Samples pg_stat_activity until the workers are done; returns the highest count seen.
            group.addTask {
                var highest = 0
                while !Task.isCancelled {
                    do {
                        highest = max(highest, try await TestDatabase.backendCount(admin, applicationName: applicationName))
                    } catch {
                        break
                    }
                }
                return -highest - 1  // negative marks the monitor's result
            }
            for _ in 0..<20 {
                group.addTask {
                    try await client.query("SELECT pg_sleep(0.05)")
                    return nil
                }
            }
            var succeeded = 0
            var maximumBackends = 0
            while let result = try await group.next() {
                if let monitor = result {
                    maximumBackends = -monitor - 1
                } else {
                    succeeded += 1
                    if succeeded == 20 { group.cancelAll() }
                }
            }
            return (succeeded, maximumBackends)
        }
        let elapsed = ContinuousClock.now - started

        #expect(succeeded == 20)
        #expect(maximumBackends >= 1, "the monitor saw the pool's backends")
        #expect(maximumBackends <= 2)
        // 20 × 50 ms on two connections cannot finish in under 0.5 s.
        #expect(elapsed >= .milliseconds(490))
    }

    @Test("a waiter that is cancelled leaves the queue and the pool keeps working")
    func cancelledWaiterLeavesQueue() async throws {
        let client = try TestDatabase.client(maxConnections: 1)
        try await client.withConnection { _ in
            let waiter = Task { try await client.query("SELECT 1") }
            waiter.cancel()
            let outcome = await waiter.result
            #expect(throws: CancellationError.self) { try outcome.get() }
        }
        #expect(try await client.query("SELECT 2 AS two").first?.decode("two", as: Int.self) == 2)
    }

    @Test("after run() ends, the client refuses work with poolClosed")
    func runEndsThePool() async throws {
        let client = try TestDatabase.client()
        try await client.query("SELECT 1")
        let service = Task { try await client.run() }
        service.cancel()
        try await service.value
        let error = await #expect(throws: PostgresError.self) { try await client.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }
}
