import Foundation

/// A message parked on a dead-letter topic (`<topic>.dlq`), with why.
public struct DeadLetter: Codable, Sendable, Equatable {
    /// The id of the parked message (its `event_id`).
    public var eventID: String
    /// The topic it came from (as named on the broker, prefix included, or
    /// the unprefixed name when parked through the outbox).
    public var sourceTopic: String
    /// Its partition, when known.
    public var sourcePartition: Int?
    /// Its offset, when known.
    public var sourceOffset: Int64?
    /// Why it could not be processed.
    public var reason: String
    /// When it was parked (ISO 8601).
    public var failedAt: String
    /// The message value as received, verbatim.
    public var originalValue: String?
    /// The message key.
    public var originalKey: String?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case sourceTopic = "source_topic"
        case sourcePartition = "source_partition"
        case sourceOffset = "source_offset"
        case reason
        case failedAt = "failed_at"
        case originalValue = "original_value"
        case originalKey = "original_key"
    }

    /// Creates a letter.
    public init(
        eventID: String, sourceTopic: String, sourcePartition: Int?, sourceOffset: Int64?, reason: String,
        failedAt: Date, originalValue: String?, originalKey: String?
    ) {
        self.eventID = eventID
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.reason = reason
        self.failedAt = Timestamp.format(failedAt)
        self.originalValue = originalValue
        self.originalKey = originalKey
    }
}
