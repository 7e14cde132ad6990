import Dispatch

extension DispatchQueue {
    /// Runs `work`, which blocks its thread (a libcurl transfer, a `getaddrinfo`
    /// call), on this queue and waits for it without holding a thread of Swift's
    /// cooperative pool.
    func runBlocking<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            self.async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}
