import Synchronization

/// A value behind a `Mutex`, shared between Swift tasks and librdkafka's threads.
/// A class, so closures handed to C callbacks can hold it.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
