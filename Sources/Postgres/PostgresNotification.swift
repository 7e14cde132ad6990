/// One `NOTIFY` received on a listened channel, or a marker that the listener reconnected.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel the notification was sent on.
    public var channel: String
    /// The `NOTIFY` payload (empty for a reconnect marker).
    public var payload: String
    /// True for the marker yielded after the listening connection was lost and re-established:
    /// notifications sent meanwhile were missed, so the consumer should re-scan its source of truth.
    public var isReconnect: Bool

    /// Creates a notification.
    public init(channel: String, payload: String, isReconnect: Bool = false) {
        self.channel = channel
        self.payload = payload
        self.isReconnect = isReconnect
    }
}
