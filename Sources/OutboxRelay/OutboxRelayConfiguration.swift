/// How the outbox relay runs.
public struct OutboxRelayConfiguration: Sendable {
    /// Rows read and published per round. Default 1000.
    public var batchSize: Int = 1000
    /// Rounds on their way to the broker at once: the next round is read and
    /// sent while earlier ones wait for their acknowledgements (the idempotent
    /// producer keeps each partition's order). Default 4.
    public var roundsInFlight: Int = 4
    /// Shortest time from one read of the outbox to the next while commits
    /// keep coming (`RELAY_ROUND_INTERVAL_MS`): rows committed meanwhile wait
    /// and go in one round, so a steady trickle of commits costs fewer rounds
    /// (each a read, a produce request and a mark). A full read is followed
    /// at once, and after a quiet spell the first row goes at once. Zero reads
    /// every commit as soon as its NOTIFY arrives. Default 5 ms.
    public var minimumRoundInterval: Duration = .milliseconds(5)
    /// Longest wait between rounds when no NOTIFY arrives: the fallback that
    /// catches a lost notification. Default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// How often a standby relay asks for leadership. Default 1 s.
    public var standbyRetryInterval: Duration = .seconds(1)
    /// Longest pause after a failure before trying again (backoff doubles up to
    /// this). Default 5 s.
    public var maximumBackoff: Duration = .seconds(5)
    /// Put before every topic name (`KAFKA_TOPIC_PREFIX`), so several
    /// deployments can share one cluster. Default none.
    public var topicPrefix = ""
    /// How often, at most, the relay counts the outbox for its backlog metric;
    /// it counts only when a full read left the backlog unknown (a short read
    /// tells it). Default 5 s.
    public var backlogInterval: Duration = .seconds(5)
    /// Failed attempts after which a row is quarantined when each failure
    /// concerned the row but might have passed (`RELAY_MAX_ATTEMPTS`). A row
    /// the broker refuses for good, or that cannot be read, is quarantined at
    /// once; a broker outage never counts. Default 5.
    public var maximumAttempts: Int = 5
    /// How long a row that failed is held back before its next attempt,
    /// doubled for each attempt before (at most 5 minutes); the rows behind
    /// it go on meanwhile. Default 1 s.
    public var attemptRetryDelay: Duration = .seconds(1)
    /// The advisory lock that elects the one active relay per database.
    public var leadershipLockKey: Int64 = 0x6f75_7462_6f78

    /// The defaults.
    public init() {}
}
