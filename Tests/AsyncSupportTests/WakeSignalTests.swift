import AsyncSupport
import Testing

@Suite("Wake signal")
struct WakeSignalTests {
    @Test("a signal given before the wait is kept and reported; a quiet wait times out and says so")
    func pendingAndTimeout() async {
        let signal = WakeSignal()
        signal.signal()
        #expect(await signal.wait(upTo: .seconds(5)))
        let started = ContinuousClock.now
        #expect(await signal.wait(upTo: .milliseconds(50)) == false)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test("a signal during the wait ends it early and is reported")
    func signalDuringWait() async {
        let signal = WakeSignal()
        async let woken = signal.wait(upTo: .seconds(30))
        // Bounded: keep signalling until the waiter has returned.
        let started = ContinuousClock.now
        Task {
            for _ in 0..<100 {
                try? await Task.sleep(for: .milliseconds(10))
                signal.signal()
            }
        }
        #expect(await woken, "a timed-out wait reports false")
        // Well short of the 30 s timeout; not tighter, as parallel suites on a
        // loaded machine can hold the cooperative pool for seconds.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("taking a pending signal clears it without waiting; with none pending it reports false")
    func takePending() async {
        let signal = WakeSignal()
        #expect(signal.takePending() == false)
        signal.signal()
        signal.signal()
        #expect(signal.takePending())
        #expect(signal.takePending() == false)
        // Taken, so a later wait does not see it.
        #expect(await signal.wait(upTo: .milliseconds(20)) == false)
    }
}
