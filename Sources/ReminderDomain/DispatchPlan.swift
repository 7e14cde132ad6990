import Foundation
import ReminderContracts

/// What the dispatcher decided for one firing: the log rows to write, the
/// deliveries to emit and the recipients held back by the rate limit. Written
/// in one transaction.
public struct DispatchPlan: Sendable, Equatable {
    /// One execution-log row.
    public struct LogEntry: Sendable, Equatable {
        public enum Status: String, Sendable, Codable {
            case fired, dispatched, skipped, deferred
            case rateLimited = "rate_limited"
        }

        public var recipient: RecipientKey?
        public var channel: Channel?
        public var status: Status
        public var reason: String

        /// Creates an entry.
        public init(recipient: RecipientKey?, channel: Channel? = nil, status: Status, reason: String) {
            self.recipient = recipient
            self.channel = channel
            self.status = status
            self.reason = reason
        }

        /// Names this outcome so that it can be written once only.
        public func dedupeKey(eventID: UUID) -> String {
            ["dispatch", eventID.uuidString.lowercased(), recipient?.description ?? "-", channel?.rawValue ?? "-", status.rawValue]
                .joined(separator: ":")
        }
    }

    public var logEntries: [LogEntry] = []
    public var deliveries: [Delivery] = []
    public var rateLimited: [RecipientKey] = []

    /// An empty plan.
    public init() {}
}
