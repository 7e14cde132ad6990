import Logging
import Observability
import Synchronization

/// Sets up logging once per process (text or JSON lines on stderr, as
/// `LOG_FORMAT` says) and returns a logger at `LOG_LEVEL`.
func makeLogger(label: String, settings: Settings) -> Logger {
    LoggingBootstrapOnce.run(json: settings.logFormat == "json")
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
    return logger
}

private enum LoggingBootstrapOnce {
    static let done = Mutex(false)

    static func run(json: Bool) {
        done.withLock { done in
            guard !done else { return }
            done = true
            if json {
                LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
            } else {
                LoggingSystem.bootstrap(StreamLogHandler.standardError)
            }
        }
    }
}
