/// One topic as declared in a `topics/*.json` file: the single source of truth
/// from which topics are created and against which messages are checked.
public struct TopicDefinition: Codable, Sendable, Equatable {
    /// The topic's name.
    public var name: String
    /// What flows through it and who writes and reads it.
    public var description: String
    /// Partition count; bounds how many consumers of one group share the work.
    public var partitions: Int32
    /// What the message key is, in words.
    public var key: String
    /// How long the broker keeps messages, in milliseconds.
    public var retentionMilliseconds: Int64
    /// Where messages that cannot be processed go; `nil` for a dead-letter topic itself.
    public var deadLetterTopic: String?
    /// The JSON Schema of the message value, kept verbatim.
    public var valueSchema: JSONValue

    enum CodingKeys: String, CodingKey {
        case name, description, partitions, key
        case retentionMilliseconds = "retention_ms"
        case deadLetterTopic = "dead_letter_topic"
        case valueSchema = "value_schema"
    }

    /// Creates a definition.
    public init(
        name: String, description: String, partitions: Int32, key: String,
        retentionMilliseconds: Int64, deadLetterTopic: String?, valueSchema: JSONValue
    ) {
        self.name = name
        self.description = description
        self.partitions = partitions
        self.key = key
        self.retentionMilliseconds = retentionMilliseconds
        self.deadLetterTopic = deadLetterTopic
        self.valueSchema = valueSchema
    }

    /// The schema's `required` property names.
    public var requiredFields: [String] {
        guard case .object(let schema) = valueSchema, case .array(let names)? = schema["required"] else { return [] }
        return names.compactMap { if case .string(let name) = $0 { name } else { nil } }
    }
}
