import Foundation
import Logging
import Timestamps

/// Writes each log record as one JSON object per line on standard error, for
/// log collectors (`LOG_FORMAT=json`). Keys: `time`, `level`, `logger`,
/// `message` and the metadata keys (which cannot replace those four).
public struct JSONLogHandler: LogHandler {
    /// The handler's own level.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let stream: JSONLogStream

    /// A handler labelled `label` writing to standard error.
    public init(label: String) {
        self.init(label: label, stream: .standardError)
    }

    init(label: String, stream: JSONLogStream) {
        self.label = label
        self.stream = stream
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        stream.write(Self.line(
            time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged
        ))
    }

    /// The JSON line for one record, newline included; keys sorted, so lines
    /// of one kind compare easily.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = [:]
        for (key, value) in metadata { object[key] = json(value) }
        object["time"] = Timestamp.format(time, fractionDigits: 3)
        object["level"] = level.rawValue
        object["logger"] = label
        object["message"] = message
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let dictionary): dictionary.mapValues(json)
        }
    }
}

/// Where JSON log lines go; whole lines are written with one call so lines
/// from several threads never interleave.
struct JSONLogStream: Sendable {
    let write: @Sendable (String) -> Void

    static let standardError = JSONLogStream { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
