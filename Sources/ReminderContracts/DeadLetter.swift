import Foundation
import Timestamps

/// A message parked on a dead-letter topic (`<topic>.dlq`), with why.
///
/// The one shape of a dead letter, whoever parks it, and one path: every
/// stage writes it through the outbox, so on the topic its `event_id` header
/// is the letter's own id and `source_event_id` the parked message's. Its text fields are
/// made safe to store (``sanitised()``): a letter must never fail to be
/// written because of the bytes it parks, or the stage that parks it would
/// stop on that message. The message's exact bytes travel as base64, so a
/// replay puts back exactly what arrived.
public struct DeadLetter: Codable, Sendable, Equatable {
    /// The id of the parked message (its `event_id`).
    public var eventID: String
    /// The topic it came from, as named on the broker (prefix included), or
    /// the unprefixed delivery topic for a delivery whose message is unknown.
    public var sourceTopic: String
    /// Its partition, when known.
    public var sourcePartition: Int?
    /// Its offset, when known.
    public var sourceOffset: Int64?
    /// Why it could not be processed.
    public var reason: String
    /// When it was parked (ISO 8601).
    public var failedAt: String
    /// The message value as text for people to read (invalid UTF-8 and NUL
    /// shown as U+FFFD): not necessarily the bytes that arrived.
    public var originalValue: String?
    /// The message value's exact bytes, base64. Letters parked before this
    /// field existed lack it; ``originalBytes`` then falls back to
    /// ``originalValue``.
    public var originalValueBase64: String?
    /// The message key, as text.
    public var originalKey: String?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case sourceTopic = "source_topic"
        case sourcePartition = "source_partition"
        case sourceOffset = "source_offset"
        case reason
        case failedAt = "failed_at"
        case originalValue = "original_value"
        case originalValueBase64 = "original_value_base64"
        case originalKey = "original_key"
    }

    /// The longest event id kept: a header from outside may hold anything.
    static let maximumEventIDBytes = 200

    /// Creates a letter for a message that arrived as `value` and `key`
    /// (`nil` when it had none), with its text made safe (``sanitised()``).
    public init(
        eventID: String, sourceTopic: String, sourcePartition: Int?, sourceOffset: Int64?, reason: String,
        failedAt: Date, value: [UInt8]?, key: [UInt8]?
    ) {
        self.eventID = eventID
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.reason = reason
        self.failedAt = Timestamp.format(failedAt)
        self.originalValue = value.map { StoredText.readable($0) }
        self.originalValueBase64 = value.map { Data($0).base64EncodedString() }
        self.originalKey = key.map { StoredText.readable($0) }
        self = sanitised()
    }

    /// The parked message's value as it arrived (from the base64 copy when
    /// the letter has one); `nil` when the letter holds no value.
    public var originalBytes: [UInt8]? {
        if let base64 = originalValueBase64 {
            return Data(base64Encoded: base64).map(Array.init)
        }
        return originalValue.map { Array($0.utf8) }
    }

    /// This letter with every text field fit to store and list: no NUL
    /// anywhere, the reason and the event id one bounded line each (see
    /// ``StoredText``). The base64 bytes are left as they are.
    public func sanitised() -> DeadLetter {
        var letter = self
        letter.eventID = StoredText.reason(eventID, maxBytes: Self.maximumEventIDBytes)
        letter.sourceTopic = StoredText.readable(sourceTopic)
        letter.reason = StoredText.reason(reason)
        letter.failedAt = StoredText.readable(failedAt)
        letter.originalValue = originalValue.map { StoredText.readable($0) }
        letter.originalKey = originalKey.map { StoredText.readable($0) }
        return letter
    }
}
