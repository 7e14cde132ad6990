-- Delivery workers: one row per delivery (firing, recipient, channel) saying
-- how far it got, so a redelivered message is recognised and skipped.

CREATE TABLE sag_reminder_deliveries (
    delivery_id       TEXT PRIMARY KEY,
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'mattermost', 'frontend')),
    reminder_id       INTEGER,
    sag_id            INTEGER,
    user_id           INTEGER,
    recipient_email   TEXT,
    -- retrying: a later attempt is scheduled; replayed: an operator re-sent a
    -- dead letter; the others are final.
    status            TEXT NOT NULL
                      CHECK (status IN ('retrying', 'sent', 'dry_run', 'skipped', 'dead', 'replayed')),
    -- The highest attempt number handled (0 for the first); a message whose
    -- attempt is not above it was handled before.
    handled_attempt   INTEGER NOT NULL,
    -- The message that last changed this row.
    last_event_id     UUID NOT NULL,
    last_error        TEXT,
    message_id        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sag_reminder_deliveries_status_idx ON sag_reminder_deliveries (status, updated_at DESC);

-- An operator's replay of a dead letter is logged too.
ALTER TABLE sag_reminder_logs DROP CONSTRAINT sag_reminder_logs_status_check;
ALTER TABLE sag_reminder_logs ADD CONSTRAINT sag_reminder_logs_status_check
    CHECK (status IN (
        'fired', 'dispatched', 'sent', 'failed', 'retrying', 'rate_limited',
        'dry_run', 'skipped', 'deferred',
        'snoozed', 'dismissed', 'acknowledged',
        'replayed'
    ));
