import ReminderContracts
import ReminderDomain

/// One read of the outbox: each row decoded on its own, so one unreadable row
/// does not stop the others.
public struct OutboxBatch: Sendable {
    /// The rows that decoded, in id order.
    public var messages: [OutboxMessage]
    /// The rows that did not, each with why (final failures).
    public var unreadable: [OutboxFailure]

    /// Creates a batch.
    public init(messages: [OutboxMessage] = [], unreadable: [OutboxFailure] = []) {
        self.messages = messages
        self.unreadable = unreadable
    }

    /// Whether the read found no due row at all.
    public var isEmpty: Bool { messages.isEmpty && unreadable.isEmpty }
}
