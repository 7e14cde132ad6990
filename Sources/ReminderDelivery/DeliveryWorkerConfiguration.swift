import ReminderContracts
import ReminderDomain

/// How a delivery worker runs.
public struct DeliveryWorkerConfiguration: Sendable {
    /// The channel it delivers.
    public var channel: Channel
    /// The channel's switch (`REMINDERS_EMAIL_ENABLED`,
    /// `REMINDERS_MATTERMOST_ENABLED`, `REMINDERS_WEBHOOK_ENABLED`): when off, messages are logged
    /// `skipped`. Default true.
    public var enabled = true
    /// `REMINDERS_DRY_RUN`: render and log, send nothing. Default true.
    public var dryRun = true
    /// When failed sends are retried (`DELIVERY_MAX_ATTEMPTS`).
    public var retryPolicy = RetryPolicy()
    /// The most messages handled in one transaction (`DELIVERY_BATCH_SIZE`):
    /// a batch is what has arrived, so an idle worker handles each at once.
    /// Default 200.
    public var batchSize = 200
    /// Batches handled at the same time (`DELIVERY_BATCHES_IN_FLIGHT`): under
    /// a backlog of half a batch, the next one is claimed and sent while the
    /// previous one commits. Default 2.
    public var batchesInFlight = 2
    /// The most sends at once (`DELIVERY_CONCURRENCY`), across the batches in
    /// flight. Each holds its slot until its acceptance is noted, so a worker
    /// killed mid-batch repeats no more sends than it had in flight. Give the
    /// sender as many connections. Default 16.
    public var sendsInFlight = 16
    /// Sends waiting for each slot opened (`DELIVERY_CONCURRENCY_STEP`):
    /// while `n` sends are in flight or waiting, `⌈n / step⌉` go at once, up
    /// to ``sendsInFlight``. A worker that keeps up sends one at a time, so a
    /// kill repeats at most one send (a webhook acts on a request as soon as
    /// it has read it); a backlog opens the slots. 1 opens them all at once.
    /// Default 32.
    public var sendsPerSlot = 32
    /// Longest pause between retries while the database is away. Default 5 s.
    public var maximumStoreBackoff: Duration = .seconds(5)

    /// The defaults for `channel`.
    public init(channel: Channel) {
        self.channel = channel
    }

    /// The consumer group of the channel's workers: `reminders-worker-<channel>`.
    public var groupID: String { "reminders-worker-\(channel.rawValue)" }

    /// Why a message is skipped while the channel is switched off.
    public var disabledReason: String {
        switch channel {
        case .email: "e-mail channel disabled (REMINDERS_EMAIL_ENABLED=false)"
        case .mattermost: "Mattermost channel disabled (REMINDERS_MATTERMOST_ENABLED=false)"
        case .frontend: "in-app channel has no worker"
        case .webhook: "webhook channel disabled (REMINDERS_WEBHOOK_ENABLED=false)"
        }
    }
}
