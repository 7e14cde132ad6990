import Logging

/// Sets up logging once per process, at `level`.
func makeLogger(label: String, level: String) -> Logger {
    LoggingBootstrapOnce.run()
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

private enum LoggingBootstrapOnce {
    static let bootstrap: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
    static func run() { _ = bootstrap }
}
