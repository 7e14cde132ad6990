import ReminderContracts
import ReminderDomain

/// One delivery attempt and what became of it, as the worker records it.
public struct DeliveryRecord: Sendable, Equatable {
    /// The attempt.
    public var delivery: Delivery
    /// Its outcome.
    public var result: DeliveryResult

    /// Pairs an attempt with its outcome.
    public init(delivery: Delivery, result: DeliveryResult) {
        self.delivery = delivery
        self.result = result
    }
}

/// Thrown by ``DeliveryRepository/deliver(_:now:act:)`` when the deliveries
/// were acted on (sent) but their transaction then failed: record `records`
/// with ``DeliveryRepository/record(_:now:)`` rather than act again.
public struct UnrecordedDeliveries: Error, Sendable, CustomStringConvertible {
    /// What was done and is not yet recorded.
    public var records: [DeliveryRecord]
    /// Why the transaction failed.
    public var underlying: any Error

    /// Wraps the failure of a batch that was already acted on.
    public init(records: [DeliveryRecord], underlying: any Error) {
        self.records = records
        self.underlying = underlying
    }

    /// The underlying failure.
    public var description: String { "\(records.count) deliveries acted on but not recorded: \(underlying)" }
}
