import Foundation
import Testing

/// The package's layers, bottom to top (README, "Architecture"): a module may
/// import modules of lower layers only, never one of its own layer or above.
@Suite("Layers")
struct LayerTests {
    static let layers: [(name: String, modules: Set<String>)] = [
        ("C bridges", ["CRDKafka", "CLibPQ", "CCurl"]),
        ("shared formats", ["Timestamps"]),
        ("Swift wrappers", ["Kafka", "Postgres", "Curl", "AsyncSupport", "Observability", "Spawn"]),
        ("contracts", ["ReminderContracts"]),
        ("domain rules", ["ReminderDomain"]),
        ("store", ["ReminderStore"]),
        ("service roles", ["OutboxRelay", "ReminderScheduler", "ReminderDispatcher", "ReminderDelivery", "ReminderGateway", "ReminderAdmin"]),
        ("entry points", ["Reminders", "RemindersBenchmark"]),
    ]

    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    static func layer(of module: String) -> Int? {
        layers.firstIndex { $0.modules.contains(module) }
    }

    /// The modules `text` imports (`import X`, with attributes or access levels before it).
    static func imports(in text: String) -> Set<String> {
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") && !["public", "internal", "package", "private", "fileprivate"].contains($0) }
            guard words.count >= 2, words[0] == "import" else { continue }
            // `import struct Foo.Bar` names the module second.
            let name = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].contains(words[1]) && words.count >= 3
                ? words[2] : words[1]
            found.insert(String(name.split(separator: ".")[0]))
        }
        return found
    }

    @Test("every module of Sources has a layer")
    func everyModuleHasALayer() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { !$0.hasPrefix(".") }
        #expect(!modules.isEmpty)
        for module in modules {
            #expect(Self.layer(of: module) != nil, "\(module) is in no layer: add it to the README's table and to this test")
        }
    }

    @Test("no module imports its own layer or one above")
    func importsGoDown() throws {
        var violations: [String] = []
        let enumerator = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        for case let file as URL in enumerator where file.pathExtension == "swift" {
            let module = file.path.dropFirst(Self.sources.path.count + 1).split(separator: "/")[0]
            guard let own = Self.layer(of: String(module)) else { continue }
            for imported in Self.imports(in: try String(contentsOf: file, encoding: .utf8)) {
                guard let theirs = Self.layer(of: imported), imported != module else { continue }
                if theirs >= own {
                    violations.append("\(file.lastPathComponent) (\(module), \(Self.layers[own].name)) imports \(imported) (\(Self.layers[theirs].name))")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test("the import reader finds what a file imports, and the rule catches a reach upwards")
    func readerAndRule() {
        let text = """
        import Foundation
        @preconcurrency import Kafka
        public import ReminderDomain
        import struct Postgres.PostgresRow
        // import ReminderGateway (a comment, not an import)
        let importer = "import ReminderStore"
        """
        #expect(Self.imports(in: text) == ["Foundation", "Kafka", "ReminderDomain", "Postgres"])
        #expect(Self.layer(of: "ReminderDomain")! < Self.layer(of: "ReminderStore")!)
        #expect(Self.layer(of: "ReminderStore")! >= Self.layer(of: "ReminderDomain")!)
        #expect(Self.layer(of: "ReminderGateway") == Self.layer(of: "ReminderDispatcher"), "roles share a layer: none imports another")
    }
}
