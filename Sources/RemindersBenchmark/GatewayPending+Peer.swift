import Curl
import Foundation

/// `--peer-command`: another implementation of pending/me on the same database, measured in
/// rounds alternating with the gateway's, so both see the same machine at nearly the same time.
extension GatewayPending {
    /// Starts the peer, waits until it answers like the gateway, runs the rounds and prints
    /// them, the medians and their ratios; stops the peer whatever happened.
    func compare(
        gatewayURL: String, gatewayAnswer: PendingAnswer, peerCommand: String,
        token: String, secret: String, database: BenchDatabase, http: CurlHTTPClient, wrk: String
    ) async throws {
        let port = try freeLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        // The gateway here checks neither; a value left in the shell must not make the peer refuse the token.
        environment["JWT_ISSUER"] = nil
        environment["JWT_AUDIENCE"] = nil
        environment["DATABASE_URL"] = database.url
        environment["JWT_SECRET"] = secret
        environment["HOST"] = "127.0.0.1"
        environment["PORT"] = String(port)
        environment["DATABASE_POOL_SIZE"] = String(poolSize)

        report("  \(peerName): \(peerCommand) (PORT \(port))")
        let peer = try ProcessGroupServer(command: peerCommand, environment: environment, name: peerName)
        // Interrupted, the run ends at once, so its database is dropped there too.
        let interrupts = peer.stopOnInterrupt(alsoBeforeExit: { database.dropBeforeExit() })
        let outcome: Result<Void, any Error>
        do {
            let peerURL = "http://127.0.0.1:\(port)" + Self.path
            try await waitUntilReady(peer, url: peerURL, token: token, gatewayAnswer: gatewayAnswer, http: http)
            try await alternate(gatewayURL: gatewayURL, peerURL: peerURL, token: token, wrk: wrk)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        let stopped = await peer.stop()
        interrupts.cancel()
        report("  \(peerName) stopped: \(stopped)")
        try outcome.get()
    }

    /// Polls the peer (bounded by `--peer-wait`) until it answers 200 with as many entries as
    /// the gateway, then says whether the entries are the same field by field.
    private func waitUntilReady(
        _ peer: ProcessGroupServer, url: String, token: String, gatewayAnswer: PendingAnswer, http: CurlHTTPClient
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(peerWait)
        var last = "no connection yet"
        while ContinuousClock.now < deadline {
            if let exit = peer.exitDescription {
                throw BenchSetupError("the \(peerName) command ended (\(exit)) before answering; its last output:\n\(peer.logTail())")
            }
            do {
                let answer = try await Self.fetchPending(http, url: url, token: token)
                if let entries = answer.answer {
                    guard entries.count == gatewayAnswer.count else {
                        throw BenchSetupError(
                            "\(peerName) answers pending/me with \(entries.count) entries, the gateway with \(gatewayAnswer.count): they do not serve the same data"
                        )
                    }
                    let differences = entries.differences(from: gatewayAnswer)
                    let sameness = differences.isEmpty
                        ? "the same entries as the gateway's, field by field"
                        : "as many entries as the gateway, but different in "
                            + differences.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) entries)" }.joined(separator: ", ")
                    report("  \(peerName) answers \(entries.count) entries: \(sameness)")
                    return
                }
                last = answer.detail
            } catch let error as BenchSetupError {
                throw error
            } catch {
                last = String(describing: error)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw BenchSetupError(
            "\(peerName) did not answer pending/me with 200 within \(peerWait) s (last: \(last)); its last output:\n\(peer.logTail())"
        )
    }

    /// Warms both up, then `rounds` rounds of one run each, the gateway first; prints every
    /// run, the medians of each server, their ratios and the load average afterwards.
    private func alternate(gatewayURL: String, peerURL: String, token: String, wrk: String) async throws {
        try await warmUp(wrk, url: gatewayURL, token: token)
        try await warmUp(wrk, url: peerURL, token: token)
        var gatewayRuns: [WrkResult] = []
        var peerRuns: [WrkResult] = []
        for round in 1...rounds {
            let gateway = try await load(wrk, url: gatewayURL, token: token, seconds: seconds)
            gatewayRuns.append(gateway)
            report("  round \(round)/\(rounds) gateway: \(gateway) [load \(loadAverage())]")
            let peer = try await load(wrk, url: peerURL, token: token, seconds: seconds)
            peerRuns.append(peer)
            report("  round \(round)/\(rounds) \(peerName): \(peer) [load \(loadAverage())]")
        }
        let gateway = WrkMedians(gatewayRuns)
        let peer = WrkMedians(peerRuns)
        report("  medians of \(plural(rounds, "run")), gateway: \(gateway)")
        report("  medians of \(plural(rounds, "run")), \(peerName): \(peer)")
        report(
            "  gateway / \(peerName): requests/s \(format(gateway.requestsPerSecond / peer.requestsPerSecond, 2)),"
                + " p50 \(format(gateway.p50 / peer.p50, 2)), p99 \(format(gateway.p99 / peer.p99, 2))"
                + " (requests/s above 1 and latencies below 1 favour the gateway)"
        )
        report("  load average after the rounds: \(loadAverage())")
    }
}
