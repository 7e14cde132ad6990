import Foundation
import Logging
import Testing

@testable import Observability

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000.25)

    func parse(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false, "one record, one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("the fixed fields and the metadata, as given")
    func fields() throws {
        let line = JSONLogHandler.line(
            time: Self.time, level: .info, label: "reminders.dispatcher", message: "dispatched",
            metadata: ["event_id": "e1", "reminder_id": "42", "recipient": "user:7"]
        )
        let object = try parse(line)
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "reminders.dispatcher")
        #expect(object["message"] as? String == "dispatched")
        #expect(object["time"] as? String == "2027-01-15T08:00:00.250Z")
        #expect(object["event_id"] as? String == "e1")
        #expect(object["reminder_id"] as? String == "42")
        #expect(object["recipient"] as? String == "user:7")
    }

    @Test("quotes, backslashes, newlines and control characters stay inside one valid line", arguments: [
        "plain", "with \"quotes\"", #"back\slash"#, "two\nlines", "tab\tand\rreturn", "bell\u{07}", "æøå ✅", "",
    ])
    func escaping(_ text: String) throws {
        let object = try parse(JSONLogHandler.line(time: Self.time, level: .error, label: text, message: text, metadata: ["detail": "\(text)"]))
        #expect(object["message"] as? String == text)
        #expect(object["logger"] as? String == text)
        #expect(object["detail"] as? String == text)
    }

    @Test("nested metadata becomes JSON arrays and objects")
    func nested() throws {
        let object = try parse(JSONLogHandler.line(
            time: Self.time, level: .debug, label: "l", message: "m",
            metadata: ["list": ["a", "b"], "map": ["k": "v", "n": ["x"]]]
        ))
        #expect(object["list"] as? [String] == ["a", "b"])
        let map = try #require(object["map"] as? [String: Any])
        #expect(map["k"] as? String == "v")
        #expect(map["n"] as? [String] == ["x"])
    }

    @Test("metadata cannot overwrite the fixed fields")
    func reservedKeys() throws {
        let line = JSONLogHandler.line(time: Self.time, level: .info, label: "real", message: "real", metadata: ["message": "fake", "level": "fake"])
        let object = try parse(line)
        #expect(object["message"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(line.components(separatedBy: "\"message\"").count == 2)
    }

    @Test("the handler merges its own and the record's metadata and writes one line per record")
    func handlerWrites() throws {
        let lines = LinesBox()
        var handler = JSONLogHandler(label: "t", stream: JSONLogStream { lines.append($0) })
        handler.metadata = ["role": "relay", "shared": "handler"]
        handler.log(event: LogEvent(
            level: .warning, message: "broker away", metadata: ["shared": "record"],
            source: "test", file: #fileID, function: #function, line: #line
        ))
        let written = lines.all
        #expect(written.count == 1)
        let object = try parse(try #require(written.first))
        #expect(object["role"] as? String == "relay")
        #expect(object["shared"] as? String == "record")
        #expect(object["level"] as? String == "warning")
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
