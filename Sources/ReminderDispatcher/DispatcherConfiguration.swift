/// How the dispatcher runs.
public struct DispatcherConfiguration: Sendable {
    /// `REMINDERS_ENABLED`: when false the dispatcher idles. Default false.
    public var enabled = false
    /// `REMINDERS_MAX_PER_USER_PER_HOUR`. Default 5.
    public var maxPerRecipientPerHour = 5
    /// `REMINDERS_QUEUE_BATCH_SIZE`: the most firings dispatched in one
    /// transaction (and committed together).
    /// Default 10.
    public var batchSize = 10
    /// `DISPATCHER_BATCHES_IN_FLIGHT`: batches dispatched at the same time,
    /// each in its own transaction, so the next one runs while the previous
    /// one commits; offsets are still committed in order. Default 2.
    public var batchesInFlight = 2
    /// The consumer group all dispatchers share. Default `reminders-dispatcher`.
    public var groupID = "reminders-dispatcher"
    /// Longest pause between retries while the database is away. Default 5 s.
    public var maximumBackoff: Duration = .seconds(5)
    /// The zone for users who set none. Default Europe/Copenhagen.
    public var defaultTimeZone = "Europe/Copenhagen"

    /// The defaults.
    public init() {}
}
