/// A user's held-back notifications of the last 7 days.
public struct HeldList: Sendable, Equatable {
    /// How many there are in all.
    public var count: Int
    /// The newest of them, newest first.
    public var items: [HeldNotification]

    /// A held list.
    public init(count: Int, items: [HeldNotification]) {
        self.count = count
        self.items = items
    }
}
