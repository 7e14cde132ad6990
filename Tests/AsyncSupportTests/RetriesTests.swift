import AsyncSupport
import ServiceLifecycleTestKit
import Synchronization
import Testing

@Suite("Retries")
struct RetriesTests {
    struct Transient: Error {}
    struct Refused: Error {}

    /// Attempts counted across tasks.
    final class Attempts: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// A wait that records each delay and returns at once.
    final class RecordedWaits: Sendable {
        let delays = Mutex<[Duration]>([])
        var wait: RetryWait {
            RetryWait { delay in
                self.delays.withLock { $0.append(delay) }
                return true
            }
        }
    }

    @Test("a retriable failure is retried until the operation succeeds; each retry is reported")
    func retriesUntilSuccess() async throws {
        let waits = RecordedWaits()
        var attempts = 0
        var reported: [Int] = []
        let result = try await withRetries(wait: waits.wait, isRetriable: { $0 is Transient }, onRetry: { reported.append($0.failures) }) {
            attempts += 1
            if attempts < 4 { throw Transient() }
            return "done"
        }
        #expect(result == "done")
        #expect(attempts == 4)
        #expect(reported == [1, 2, 3])
        #expect(waits.delays.withLock { $0.count } == 3)
    }

    @Test("a failure the predicate refuses is thrown at once, without a wait")
    func givesUpOnRefusal() async {
        let waits = RecordedWaits()
        var attempts = 0
        await #expect(throws: Refused.self) {
            try await withRetries(wait: waits.wait, isRetriable: { $0 is Transient }) {
                attempts += 1
                if attempts == 1 { throw Transient() }
                throw Refused()
            }
        }
        #expect(attempts == 2)
        #expect(waits.delays.withLock { $0 } == [.milliseconds(100)])
    }

    @Test("the wait doubles after each failure and stops at the maximum")
    func backoffDoublesAndIsCapped() async throws {
        let waits = RecordedWaits()
        var attempts = 0
        try await withRetries(RetryBackoff(initial: .milliseconds(100), maximum: .milliseconds(1000)), wait: waits.wait) {
            attempts += 1
            if attempts <= 6 { throw Transient() }
        }
        #expect(waits.delays.withLock { $0 } == [100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        let backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        #expect(backoff.delay(afterFailures: 1_000) == .seconds(5))
    }

    @Test("jitter only shortens a wait, by at most its fraction")
    func jitterIsBounded() {
        let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0.5)
        #expect(backoff.jitteredDelay(afterFailures: 2, random: { 0 }) == .seconds(2))
        #expect(backoff.jitteredDelay(afterFailures: 2, random: { 0.5 }) == .milliseconds(1500))
        for _ in 0..<100 {
            let delay = backoff.jitteredDelay(afterFailures: 4)
            #expect(delay >= .seconds(4) && delay <= .seconds(8))
        }
    }

    @Test("graceful shutdown during a wait ends it at once and stops the retries", .timeLimit(.minutes(1)))
    func shutdownEndsTheWait() async throws {
        let started = ContinuousClock.now
        let attempts = Attempts()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await #expect(throws: CancellationError.self) {
                        try await withRetries(RetryBackoff(initial: .seconds(60), maximum: .seconds(60))) {
                            attempts.add()
                            throw Transient()
                        }
                    }
                }
                // Bounded: the loop is in its 60-second wait once it has failed once.
                while attempts.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(50))
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(attempts.value == 1)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("after shutdown began, a failure is not retried", .timeLimit(.minutes(1)))
    func noRetryAfterShutdown() async {
        var attempts = 0
        await testGracefulShutdown { trigger in
            trigger.triggerGracefulShutdown()
            await #expect(throws: CancellationError.self) {
                try await withRetries {
                    attempts += 1
                    throw Transient()
                }
            }
        }
        #expect(attempts == 1)
    }

    @Test("cancelling the task ends a wait at once", .timeLimit(.minutes(1)))
    func cancellationEndsTheWait() async {
        let started = ContinuousClock.now
        let task = Task {
            try await withRetries(RetryBackoff(initial: .seconds(60), maximum: .seconds(60))) { () throws -> Void in throw Transient() }
        }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
