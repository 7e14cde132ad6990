/// A send the server accepted, noted at once so a crash before the batch's
/// commit does not make the next owner send it again.
public struct DeliveryAcceptance: Sendable, Equatable {
    /// The delivery.
    public var deliveryID: String
    /// The attempt that was accepted.
    public var attempt: Int
    /// The e-mail's Message-ID, when there is one.
    public var messageID: String?

    /// Notes that `attempt` of `deliveryID` was accepted.
    public init(deliveryID: String, attempt: Int, messageID: String?) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.messageID = messageID
    }
}
