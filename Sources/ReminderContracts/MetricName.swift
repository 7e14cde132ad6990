/// The Prometheus metrics the services export, named once so the code, the
/// dashboard and the deployment checks agree (`reminders describe` lists them).
public enum MetricName {
    /// Counter {role, topic}: consumed messages handled and committed.
    public static let messagesProcessed = "reminders_messages_processed_total"
    /// Counter {role, topic}: handling attempts that failed (a send refused, a retry or a dead letter follows).
    public static let messagesFailed = "reminders_messages_failed_total"
    /// Counter {role, topic}: retries scheduled after a failed attempt.
    public static let messagesRetried = "reminders_messages_retried_total"
    /// Counter {role, topic}: messages parked on a dead-letter topic.
    public static let messagesDeadLettered = "reminders_messages_dead_lettered_total"
    /// Counter {topic}: outbox rows published and marked by the relay.
    public static let outboxPublished = "reminders_outbox_published_total"
    /// Counter {topic}: outbox rows the relay set aside (quarantined) instead of publishing.
    public static let outboxQuarantined = "reminders_outbox_quarantined_total"
    /// Gauge: outbox rows not yet published.
    public static let outboxBacklog = "reminders_outbox_backlog"
    /// Gauge {role, topic, partition}: records behind the partition's high watermark.
    public static let consumerLag = "reminders_consumer_lag"
    /// Histogram {channel, outcome}: seconds from the firing to the recorded outcome.
    public static let deliveryLatency = "reminders_delivery_latency_seconds"
    /// Histogram: seconds from a reminder's due time to its firing.
    public static let schedulerLateness = "reminders_scheduler_lateness_seconds"
    /// Counter: firings made by the scheduler (reminders and ended snoozes).
    public static let schedulerFired = "reminders_scheduler_fired_total"
    /// Counter: notifications held back by the per-recipient hourly limit.
    public static let rateLimited = "reminders_rate_limited_total"
    /// Counter {channel}: channel messages the dispatcher emitted.
    public static let dispatched = "reminders_dispatched_total"
    /// Counter {outcome}: escalation steps the scheduler settled, `fired` or `stopped` (an
    /// original recipient acknowledged or dismissed the firing).
    public static let escalationSteps = "reminders_escalation_steps_total"
    /// Counter: held-back digests the scheduler sent (`REMINDERS_HELD_DIGEST`).
    public static let heldDigests = "reminders_held_digests_total"
    /// Counter: reminders re-armed because their case left a closing status.
    public static let rearmed = "reminders_rearmed_total"
    /// Counter {reason}: webhook sends refused before connecting because the target's
    /// URL or resolved address is not allowed (private, loopback, link-local, metadata).
    public static let webhookTargetsRefused = "reminders_webhook_targets_refused_total"
    /// Counter: webhook subscriptions deleted because their receiver answered 410 Gone.
    public static let webhookSubscriptionsGone = "reminders_webhook_subscriptions_gone_total"

    /// Every metric with its Prometheus type and help text.
    public static let catalog: [(name: String, type: String, help: String)] = [
        (messagesProcessed, "counter", "Consumed messages handled and committed, per role and topic."),
        (messagesFailed, "counter", "Handling attempts that failed, per role and topic."),
        (messagesRetried, "counter", "Retries scheduled after a failed attempt, per role and topic."),
        (messagesDeadLettered, "counter", "Messages parked on a dead-letter topic, per role and topic."),
        (outboxPublished, "counter", "Outbox rows published to Kafka and marked, per topic."),
        (outboxQuarantined, "counter", "Outbox rows quarantined by the relay instead of published, per topic."),
        (outboxBacklog, "gauge", "Outbox rows not yet published."),
        (consumerLag, "gauge", "Records behind the partition's high watermark, per role, topic and partition."),
        (deliveryLatency, "histogram", "Seconds from the firing to the recorded delivery outcome, per channel and outcome."),
        (schedulerLateness, "histogram", "Seconds from a reminder's due time to its firing."),
        (schedulerFired, "counter", "Firings made by the scheduler."),
        (rateLimited, "counter", "Notifications held back by the per-recipient hourly limit."),
        (dispatched, "counter", "Channel messages emitted by the dispatcher, per channel."),
        (escalationSteps, "counter", "Escalation steps settled by the scheduler, per outcome (fired, stopped)."),
        (heldDigests, "counter", "Digests of held-back notifications sent by the scheduler."),
        (rearmed, "counter", "Reminders re-armed because their case reopened."),
        (webhookTargetsRefused, "counter", "Webhook sends refused because the target URL or its resolved address is not allowed."),
        (webhookSubscriptionsGone, "counter", "Webhook subscriptions deleted because their receiver answered 410 Gone."),
    ]

    /// Histogram buckets for the latency metrics: from a millisecond (the
    /// pipeline's normal case) to minutes (retries, quiet hours).
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]
}
