import Foundation

/// How the dispatcher runs.
public struct DispatcherConfiguration: Sendable {
    /// `REMINDERS_ENABLED`: when false the dispatcher idles. Default false.
    public var enabled = false
    /// `REMINDERS_MAX_PER_USER_PER_HOUR`. Default 5.
    public var maxPerRecipientPerHour = 5
    /// The rolling window of that limit, in seconds. Default 3600 (the seed's
    /// hour); not an environment variable: tests shorten it.
    public var rateWindowSeconds: TimeInterval = 3600
    /// `REMINDERS_QUEUE_BATCH_SIZE`: the firings of one batch while the
    /// dispatcher keeps up (a batch is what has arrived, so an idle firing
    /// goes alone and at once). Default 10.
    public var batchSize = 10
    /// `DISPATCHER_BACKLOG_BATCHES`: under a backlog (more firings waiting
    /// than one batch holds), one transaction takes up to this many batches'
    /// worth, so a backlog costs fewer statements per firing. Default 20.
    public var backlogBatches = 20

    /// The most firings in one transaction: `batchSize × backlogBatches`.
    public var maximumFiringsPerTransaction: Int { max(1, batchSize) * max(1, backlogBatches) }
    /// `DISPATCHER_BATCHES_IN_FLIGHT`: batches dispatched at the same time,
    /// each in its own transaction, so under a backlog (half of
    /// ``maximumFiringsPerTransaction``) the next one runs while the previous
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
