-- Signed outbound webhooks: a fourth channel, `webhook`, reaching systems that
-- subscribed to a case's firings (or, for administrators, to every case's).

-- One subscription: a case's (sag_id set) or a global one (sag_id NULL), an https
-- URL, and the signing secret sealed with the deployment's key
-- (REMINDERS_WEBHOOK_SECRET_KEY, AES-256-GCM bound to the subscription id). The
-- secret must be recoverable for signing, so it is encrypted, not hashed; it is
-- shown once, when the subscription is created, and never read back out.
-- Deleting a subscription keeps the row (deleted_at) for the execution log.
CREATE TABLE reminder_webhook_subscriptions (
    id              UUID PRIMARY KEY,
    sag_id          INTEGER REFERENCES sag_sager (id),
    url             TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    secret_sealed   TEXT NOT NULL CHECK (secret_sealed LIKE 'v1.%'),
    description     TEXT CHECK (description IS NULL OR length(description) <= 200),
    created_by      INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    deleted_at      TIMESTAMPTZ
);

-- The dispatcher reads a firing's case's subscriptions and the global ones.
CREATE INDEX reminder_webhook_subscriptions_case_idx
    ON reminder_webhook_subscriptions (sag_id) WHERE deleted_at IS NULL;

-- The log and the delivery rows name the new channel.
ALTER TABLE sag_reminder_logs DROP CONSTRAINT IF EXISTS sag_reminder_logs_channel_check;
ALTER TABLE sag_reminder_logs ADD CONSTRAINT sag_reminder_logs_channel_check
    CHECK (channel IN ('email', 'mattermost', 'frontend', 'webhook'));
ALTER TABLE sag_reminder_deliveries DROP CONSTRAINT IF EXISTS sag_reminder_deliveries_channel_check;
ALTER TABLE sag_reminder_deliveries ADD CONSTRAINT sag_reminder_deliveries_channel_check
    CHECK (channel IN ('email', 'mattermost', 'frontend', 'webhook'));
