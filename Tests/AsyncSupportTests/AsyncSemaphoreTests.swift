import AsyncSupport
import Synchronization
import Testing

@Suite("Async semaphore")
struct AsyncSemaphoreTests {
    /// What the bodies under test saw, shared between their tasks.
    private final class Probe: Sendable {
        private struct Counts { var open = false, now = 0, most = 0, order: [Int] = [] }
        private let counts = Mutex(Counts())

        var isOpen: Bool { counts.withLock { $0.open } }
        var mostAtOnce: Int { counts.withLock { $0.most } }
        var order: [Int] { counts.withLock { $0.order } }
        func open() { counts.withLock { $0.open = true } }
        func enter(_ index: Int) {
            counts.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
                $0.order.append(index)
            }
        }
        func leave() { counts.withLock { $0.now -= 1 } }

        /// Waits (bounded) until the body is open to go on.
        func waitUntilOpen() async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while !isOpen, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    /// Waits (bounded) until `callers` have reached the semaphore.
    private static func waitForArrivals(_ semaphore: AsyncSemaphore, _ callers: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while semaphore.occupancy.running + semaphore.occupancy.waiting < callers, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Starts `callers` bodies that hold their permit until released, and
    /// returns how many ran at once once all of them had arrived.
    private static func runningWith(callers: Int, permits: Int, demandPerPermit: Int) async throws -> Int {
        let semaphore = AsyncSemaphore(permits: permits, demandPerPermit: demandPerPermit)
        let probe = Probe()
        let running = try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<callers {
                group.addTask {
                    try await semaphore.withPermit {
                        probe.enter(index)
                        try await probe.waitUntilOpen()
                        probe.leave()
                    }
                }
            }
            try await waitForArrivals(semaphore, callers)
            let running = semaphore.occupancy.running
            probe.open()
            try await group.waitForAll()
            return running
        }
        #expect(probe.mostAtOnce <= permits)
        #expect(probe.order.count == callers)
        #expect(semaphore.occupancy == (0, 0))
        return running
    }

    @Test("fixed: as many run as there are permits, never more", arguments: [(1, 1), (3, 3), (4, 4), (10, 4)])
    func fixed(callers: Int, expected: Int) async throws {
        #expect(try await Self.runningWith(callers: callers, permits: 4, demandPerPermit: 1) == expected)
    }

    @Test("opened with the demand: one per eight callers, at least one, at most the permits",
          arguments: [(1, 1), (8, 1), (9, 2), (16, 2), (17, 3), (24, 3), (25, 4), (100, 4)])
    func openedWithDemand(callers: Int, expected: Int) async throws {
        #expect(try await Self.runningWith(callers: callers, permits: 4, demandPerPermit: 8) == expected)
    }

    @Test("every caller runs once, in arrival order when one runs at a time")
    func order() async throws {
        let semaphore = AsyncSemaphore(permits: 4, demandPerPermit: 100)
        let probe = Probe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await semaphore.withPermit {
                    try await probe.waitUntilOpen()
                    probe.enter(0)
                    probe.leave()
                }
            }
            // Each caller arrives after the previous one is queued.
            for index in 1...20 {
                try await Self.waitForArrivals(semaphore, index)
                group.addTask { await semaphore.withPermit { probe.enter(index); probe.leave() } }
            }
            try await Self.waitForArrivals(semaphore, 21)
            probe.open()
            try await group.waitForAll()
        }
        #expect(probe.order == Array(0...20))
        #expect(probe.mostAtOnce == 1)
        #expect(semaphore.occupancy == (0, 0))
    }
}
