/// Where a delivery stands.
public struct DeliveryState: Sendable, Equatable {
    /// The status.
    public var status: DeliveryStatus
    /// The highest attempt number handled; -1 when none.
    public var handledAttempt: Int

    /// Creates a state.
    public init(status: DeliveryStatus, handledAttempt: Int) {
        self.status = status
        self.handledAttempt = handledAttempt
    }

    /// Whether a message carrying attempt `attempt` has nothing left to do.
    public func hasHandled(attempt: Int) -> Bool {
        status.isFinal || attempt <= handledAttempt
    }
}
