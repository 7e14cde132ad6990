import Foundation

/// One digest the scheduler sent: to whom, under which event id, carrying how many held items.
public struct HeldDigestRelease: Sendable, Equatable {
    /// The user.
    public var userID: Int
    /// The digest's event id (the `dispatched` log row's and the delivery's fired event).
    public var digestEventID: UUID
    /// Held items it carries.
    public var items: Int

    /// A release.
    public init(userID: Int, digestEventID: UUID, items: Int) {
        self.userID = userID
        self.digestEventID = digestEventID
        self.items = items
    }
}
