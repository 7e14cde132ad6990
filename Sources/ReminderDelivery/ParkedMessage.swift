import ReminderContracts
import ReminderDomain

/// A message found on a dead-letter topic.
public struct ParkedMessage: Sendable {
    /// The dead-letter topic (as named on the broker).
    public var topic: String
    /// Its partition there.
    public var partition: Int32
    /// Its offset there.
    public var offset: Int64
    /// The letter, when its value is one.
    public var letter: DeadLetter?
    /// The value as read.
    public var rawValue: String

    /// Names the letter for good: topic, partition and offset.
    public var letterKey: String { "\(topic):\(partition):\(offset)" }
}
