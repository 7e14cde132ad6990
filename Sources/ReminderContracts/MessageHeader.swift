/// The Kafka header names the pipeline's messages carry, named once for the
/// stages that write them and the ones that read them.
public enum MessageHeader {
    /// Every message: its own id (the relay sets it from the outbox row).
    public static let eventID = "event_id"
    /// A channel message: the (firing, recipient, channel) it delivers.
    public static let deliveryID = "delivery_id"
    /// A dead letter: the id of the message it parks.
    public static let sourceEventID = "source_event_id"
    /// A dead letter: why the message was parked.
    public static let reason = "reason"
}
