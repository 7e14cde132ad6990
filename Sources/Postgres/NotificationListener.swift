import Foundation
import Logging
import Synchronization

/// The thread behind a ``PostgresNotificationSequence``: owns the listening connection, waits on
/// its socket with `poll()` in short slices (so it notices `stop()`), and yields notifications.
final class NotificationListener: Sendable {
    private let configuration: PostgresConfiguration
    private let channel: String
    private let logger: Logger
    private let continuation: AsyncStream<PostgresNotification>.Continuation
    private let isClientShutDown: @Sendable () -> Bool
    private let isStopped = Mutex(false)

    /// How long one `poll()` waits before checking whether to stop.
    private static let pollSliceMilliseconds: Int32 = 250
    private static let initialBackoff: Duration = .milliseconds(100)
    private static let maximumBackoff: Duration = .seconds(1)

    init(
        configuration: PostgresConfiguration,
        channel: String,
        logger: Logger,
        continuation: AsyncStream<PostgresNotification>.Continuation,
        isClientShutDown: @escaping @Sendable () -> Bool
    ) {
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        self.continuation = continuation
        self.isClientShutDown = isClientShutDown
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "Postgres.NotificationListener"
        thread.start()
    }

    func stop() {
        isStopped.withLock { $0 = true }
    }

    private var shouldStop: Bool {
        isStopped.withLock { $0 } || isClientShutDown()
    }

    private func run() {
        var connection: LibPQConnection?
        var missedNotifications = false
        var backoff = Self.initialBackoff
        while !shouldStop {
            guard let listening = connection else {
                do {
                    connection = try openListeningConnection()
                    backoff = Self.initialBackoff
                    if missedNotifications {
                        logger.info("PostgreSQL listener reconnected", metadata: ["channel": "\(channel)"])
                        continuation.yield(PostgresNotification(channel: channel, payload: "", isReconnect: true))
                        missedNotifications = false
                    }
                } catch {
                    missedNotifications = true
                    logger.warning("PostgreSQL listener cannot connect", metadata: ["channel": "\(channel)", "error": "\(error)"])
                    pause(backoff)
                    backoff = min(backoff * 2, Self.maximumBackoff)
                }
                continue
            }
            do {
                try receiveNotifications(on: listening)
            } catch {
                logger.warning("PostgreSQL listener lost its connection", metadata: ["channel": "\(channel)", "error": "\(error)"])
                listening.finish()
                connection = nil
                missedNotifications = true
            }
        }
        // Closing the session drops its LISTEN registration on the server.
        connection?.finish()
        continuation.finish()
    }

    private func openListeningConnection() throws -> LibPQConnection {
        let connection = try LibPQConnection.connect(configuration: configuration, logger: logger)
        try connection.executeScript("LISTEN \(try SQLIdentifier.quote(channel))")
        logger.debug("PostgreSQL listener started", metadata: ["channel": "\(channel)"])
        return connection
    }

    /// Waits one poll slice for data, then yields every notification that arrived.
    private func receiveNotifications(on connection: LibPQConnection) throws {
        if try connection.waitForInput(timeoutMilliseconds: Self.pollSliceMilliseconds) {
            guard connection.consumeInput() else { throw connection.connectionError(prefix: "reading from PostgreSQL failed") }
        }
        while let (notifiedChannel, payload) = connection.nextNotification() {
            continuation.yield(PostgresNotification(channel: notifiedChannel, payload: payload))
        }
        guard connection.isConnected else { throw connection.connectionError(prefix: "connection lost") }
    }

    /// Sleeps for `duration` in poll-slice steps so that `stop()` takes effect quickly.
    private func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !shouldStop, ContinuousClock.now < deadline {
            let remaining = deadline - ContinuousClock.now
            Thread.sleep(forTimeInterval: min(0.25, Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18))
        }
    }
}
