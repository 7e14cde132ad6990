import Foundation

/// One row of a reminder's execution log (`sag_reminder_logs`).
public struct ExecutionLogEntry: Sendable, Equatable {
    /// Its id.
    public var id: Int
    /// The firing or message it concerns.
    public var eventID: String?
    /// The recipient user, if any.
    public var userID: Int?
    /// The address it went to (private).
    public var recipientEmail: String?
    /// `email`, `mattermost` or `frontend`.
    public var channel: String?
    /// What happened (`sent`, `failed`, `snoozed`…).
    public var status: String
    /// `snooze`, `dismiss` or `acknowledge` for a recipient's action.
    public var interactionType: String?
    /// Why, in words.
    public var reason: String?
    /// What a server answered (private: may quote addresses).
    public var errorMessage: String?
    /// For a snooze: until when.
    public var snoozedUntil: Date?
    /// Which attempt it was.
    public var attempt: Int
    /// When it was written.
    public var createdAt: Date

    /// A log row.
    public init(
        id: Int, eventID: String? = nil, userID: Int? = nil, recipientEmail: String? = nil, channel: String? = nil, status: String,
        interactionType: String? = nil, reason: String? = nil, errorMessage: String? = nil, snoozedUntil: Date? = nil,
        attempt: Int = 1, createdAt: Date
    ) {
        self.id = id
        self.eventID = eventID
        self.userID = userID
        self.recipientEmail = recipientEmail
        self.channel = channel
        self.status = status
        self.interactionType = interactionType
        self.reason = reason
        self.errorMessage = errorMessage
        self.snoozedUntil = snoozedUntil
        self.attempt = attempt
        self.createdAt = createdAt
    }
}
