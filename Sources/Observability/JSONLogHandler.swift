import Foundation
import Logging

/// Writes each log record as one JSON object per line on standard error, for
/// log collectors (`LOG_FORMAT=json`). Keys: `time`, `level`, `logger`,
/// `message`, then the metadata keys as given.
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

    /// The JSON line for one record, newline included.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [
            ("time", quoted(timeFormat.format(time))),
            ("level", quoted(level.rawValue)),
            ("logger", quoted(label)),
            ("message", quoted(message)),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["time", "level", "logger", "message"].contains(key) {
            fields.append((key, json(value)))
        }
        return "{" + fields.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
