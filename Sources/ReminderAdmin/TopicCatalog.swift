import Foundation
import ReminderContracts
import ReminderDomain

/// The topic definitions of a `topics/` folder, checked for consistency.
public struct TopicCatalog: Sendable {
    /// The definitions, ordered by name.
    public var definitions: [TopicDefinition]

    /// Reads every `*.json` file of `directory`.
    public static func load(fromDirectory directory: String) throws -> TopicCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        } catch {
            throw AdminError("cannot read the topics folder \(directory)")
        }
        var definitions: [TopicDefinition] = []
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AdminError("cannot read topic definition \(name)")
            }
            let definition: TopicDefinition
            do {
                definition = try JSONDecoder().decode(TopicDefinition.self, from: data)
            } catch {
                throw AdminError("topic definition \(name) is malformed: \(error)")
            }
            guard name == definition.name + ".json" else {
                throw AdminError("topic definition \(name) names topic \(definition.name); the file must be named after its topic")
            }
            definitions.append(definition)
        }
        let catalog = TopicCatalog(definitions: definitions)
        try catalog.validate()
        return catalog
    }

    /// Creates a catalog of the given definitions.
    public init(definitions: [TopicDefinition]) {
        self.definitions = definitions.sorted { $0.name < $1.name }
    }

    /// The definition of `name`, if any.
    public func definition(named name: String) -> TopicDefinition? {
        definitions.first { $0.name == name }
    }

    /// Every dead-letter topic named is itself defined; every message carries an
    /// event id; partition counts are positive.
    public func validate() throws {
        for definition in definitions {
            guard definition.partitions > 0 else {
                throw AdminError("topic \(definition.name) needs at least one partition")
            }
            guard definition.requiredFields.contains("event_id") else {
                throw AdminError("topic \(definition.name): its value schema must require event_id")
            }
            if let deadLetter = definition.deadLetterTopic, self.definition(named: deadLetter) == nil {
                throw AdminError("topic \(definition.name) names dead-letter topic \(deadLetter), which is not defined")
            }
        }
    }
}
