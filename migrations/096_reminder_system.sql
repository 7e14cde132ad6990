-- Reminder system for the case ("sag") module.
--
-- Holds everything the spec names: the four reminder tables, the host tables the
-- trigger reads (created only where the host application has not already), the
-- outbox the pipeline publishes from, the status-change trigger, the rate-limit
-- helper and the two helper views.

-- ---------------------------------------------------------------------------
-- Host tables. In the case-management hub these exist already; here they are
-- created only when missing so the system also runs on its own.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS users (
    user_id        SERIAL PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT,
    email          TEXT,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sag_sager (
    id             SERIAL PRIMARY KEY,
    titel          TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'ny',
    deadline       TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at     TIMESTAMPTZ
);

-- ---------------------------------------------------------------------------
-- user_notification_preferences: a user's default channels, quiet hours and
-- e-mail override. A user without a row gets the column defaults.
-- ---------------------------------------------------------------------------
CREATE TABLE user_notification_preferences (
    user_id              INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    notify_mattermost    BOOLEAN NOT NULL DEFAULT TRUE,
    notify_email         BOOLEAN NOT NULL DEFAULT FALSE,
    notify_frontend      BOOLEAN NOT NULL DEFAULT TRUE,
    email_override       TEXT,
    mattermost_username  TEXT,
    quiet_hours_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    quiet_hours_start    TIME,
    quiet_hours_end      TIME,
    timezone             TEXT NOT NULL DEFAULT 'Europe/Copenhagen',
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT quiet_hours_complete CHECK (
        NOT quiet_hours_enabled OR (quiet_hours_start IS NOT NULL AND quiet_hours_end IS NOT NULL)
    )
);

-- ---------------------------------------------------------------------------
-- sag_reminders: the reminder rules. Channel flags left NULL inherit the
-- recipient's default.
-- ---------------------------------------------------------------------------
CREATE TABLE sag_reminders (
    id                         SERIAL PRIMARY KEY,
    sag_id                     INTEGER NOT NULL REFERENCES sag_sager (id),
    title                      TEXT NOT NULL,
    message                    TEXT,
    priority                   TEXT NOT NULL DEFAULT 'normal'
                               CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    trigger_type               TEXT NOT NULL
                               CHECK (trigger_type IN ('status_change', 'deadline_approaching', 'time_based')),
    trigger_config             JSONB NOT NULL DEFAULT '{}'::jsonb,
    recipient_user_ids         INTEGER[] NOT NULL DEFAULT '{}',
    recipient_emails           TEXT[] NOT NULL DEFAULT '{}',
    notify_mattermost          BOOLEAN,
    notify_email               BOOLEAN,
    notify_frontend            BOOLEAN,
    override_user_preferences  BOOLEAN NOT NULL DEFAULT FALSE,
    recurrence_type            TEXT NOT NULL DEFAULT 'once'
                               CHECK (recurrence_type IN ('once', 'daily', 'weekly', 'monthly')),
    timezone                   TEXT NOT NULL DEFAULT 'Europe/Copenhagen',
    scheduled_at               TIMESTAMPTZ,
    next_check_at              TIMESTAMPTZ,
    last_fired_at              TIMESTAMPTZ,
    fire_count                 INTEGER NOT NULL DEFAULT 0,
    is_active                  BOOLEAN NOT NULL DEFAULT TRUE,
    created_by_user_id         INTEGER REFERENCES users (user_id),
    created_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at                 TIMESTAMPTZ
);

-- "What is due now" must stay an index range scan with millions of rows: only
-- live scheduled reminders are in this index.
CREATE INDEX sag_reminders_due_idx ON sag_reminders (next_check_at)
    WHERE is_active AND deleted_at IS NULL
      AND trigger_type IN ('time_based', 'deadline_approaching');
-- The status trigger looks up a case's live status-change reminders.
CREATE INDEX sag_reminders_status_change_idx ON sag_reminders (sag_id)
    WHERE is_active AND deleted_at IS NULL AND trigger_type = 'status_change';
CREATE INDEX sag_reminders_sag_idx ON sag_reminders (sag_id);

-- ---------------------------------------------------------------------------
-- sag_reminder_queue: one row per firing (event) and, for a firing held back
-- by the rate limit, one row per affected recipient.
-- ---------------------------------------------------------------------------
CREATE TABLE sag_reminder_queue (
    id                   BIGSERIAL PRIMARY KEY,
    event_id             UUID NOT NULL DEFAULT gen_random_uuid(),
    reminder_id          INTEGER NOT NULL REFERENCES sag_reminders (id),
    sag_id               INTEGER NOT NULL REFERENCES sag_sager (id),
    event_type           TEXT NOT NULL
                         CHECK (event_type IN ('status_change', 'deadline_approaching', 'time_based', 'snooze')),
    event_data           JSONB NOT NULL DEFAULT '{}'::jsonb,
    recipient_user_id    INTEGER REFERENCES users (user_id),
    recipient_email      TEXT,
    status               TEXT NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'processing', 'sent', 'failed', 'rate_limited')),
    error_message        TEXT,
    attempts             INTEGER NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at         TIMESTAMPTZ
);
-- One firing row per event; one rate-limited row per (event, recipient).
CREATE UNIQUE INDEX sag_reminder_queue_event_recipient_key ON sag_reminder_queue
    (event_id, COALESCE(recipient_user_id, 0), COALESCE(recipient_email, ''));
CREATE INDEX sag_reminder_queue_pending_idx ON sag_reminder_queue (created_at)
    WHERE status = 'pending';
CREATE INDEX sag_reminder_queue_reminder_idx ON sag_reminder_queue (reminder_id);

-- ---------------------------------------------------------------------------
-- sag_reminder_logs: the execution log. Every decision and delivery attempt,
-- and every user interaction, is a row; nothing here is ever deleted.
-- ---------------------------------------------------------------------------
CREATE TABLE sag_reminder_logs (
    id                   BIGSERIAL PRIMARY KEY,
    reminder_id          INTEGER REFERENCES sag_reminders (id),
    sag_id               INTEGER REFERENCES sag_sager (id),
    event_id             UUID,
    user_id              INTEGER REFERENCES users (user_id),
    recipient_email      TEXT,
    channel              TEXT CHECK (channel IN ('email', 'mattermost', 'frontend')),
    status               TEXT NOT NULL
                         CHECK (status IN (
                             'fired', 'dispatched', 'sent', 'failed', 'retrying', 'rate_limited',
                             'dry_run', 'skipped', 'deferred',
                             'snoozed', 'dismissed', 'acknowledged'
                         )),
    interaction_type     TEXT CHECK (interaction_type IN ('snooze', 'dismiss', 'acknowledge')),
    reason               TEXT,
    error_message        TEXT,
    payload              JSONB,
    snoozed_until        TIMESTAMPTZ,
    attempt              INTEGER NOT NULL DEFAULT 0,
    -- Each stage names what it did with a stable key so a redelivered message
    -- cannot log the same outcome twice.
    dedupe_key           TEXT UNIQUE,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sag_reminder_logs_user_time_idx ON sag_reminder_logs (user_id, created_at DESC);
CREATE INDEX sag_reminder_logs_email_time_idx ON sag_reminder_logs (recipient_email, created_at DESC)
    WHERE recipient_email IS NOT NULL;
CREATE INDEX sag_reminder_logs_reminder_idx ON sag_reminder_logs (reminder_id, created_at DESC);
CREATE INDEX sag_reminder_logs_event_idx ON sag_reminder_logs (event_id);

-- ---------------------------------------------------------------------------
-- reminder_outbox: every message a stage emits is written here in the same
-- transaction as the state change that caused it; the relay publishes it to
-- Kafka and only then sets published_at.
-- ---------------------------------------------------------------------------
CREATE TABLE reminder_outbox (
    id              BIGSERIAL PRIMARY KEY,
    event_id        UUID NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    message_key     TEXT,
    payload         JSONB NOT NULL,
    headers         JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    -- Not published before this time: how e-mail and Mattermost wait out a
    -- recipient's quiet hours without holding up anyone else's messages.
    available_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    published_at    TIMESTAMPTZ
);
-- The relay reads unpublished rows in id order; published rows drop out of it.
CREATE INDEX reminder_outbox_unpublished_idx ON reminder_outbox (id) WHERE published_at IS NULL;

-- One wake-up per inserting statement, not per row: the relay then reads the
-- whole batch.
CREATE FUNCTION reminder_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reminder_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER reminder_outbox_notify_exec
    AFTER INSERT ON reminder_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION reminder_outbox_notify();

-- ---------------------------------------------------------------------------
-- Status-change trigger: queues each live status_change reminder whose
-- trigger_config.target_status is the case's new status, and writes the fired
-- event to the outbox in the same transaction as the UPDATE.
-- ---------------------------------------------------------------------------
CREATE FUNCTION sag_status_change_reminder_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r          RECORD;
    new_event  UUID;
    fired_at   TIMESTAMPTZ := clock_timestamp();
    event      JSONB;
BEGIN
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;

    FOR r IN
        SELECT id, sag_id
          FROM sag_reminders
         WHERE sag_id = NEW.id
           AND trigger_type = 'status_change'
           AND is_active
           AND deleted_at IS NULL
           AND trigger_config ->> 'target_status' = NEW.status
         ORDER BY id
    LOOP
        new_event := gen_random_uuid();
        event := jsonb_build_object(
            'event_id', new_event,
            'event_type', 'status_change',
            'reminder_id', r.id,
            'sag_id', r.sag_id,
            'occurred_at', to_char(fired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'old_status', OLD.status,
            'new_status', NEW.status
        );

        INSERT INTO sag_reminder_queue (event_id, reminder_id, sag_id, event_type, event_data)
        VALUES (new_event, r.id, r.sag_id, 'status_change', event);

        INSERT INTO reminder_outbox (event_id, topic, message_key, payload, headers)
        VALUES (new_event, 'reminders.fired', r.id::text, event,
                jsonb_build_object('event_id', new_event::text, 'event_type', 'status_change'));

        UPDATE sag_reminders
           SET last_fired_at = fired_at, fire_count = fire_count + 1
         WHERE id = r.id;
    END LOOP;

    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_status_change_reminder_trigger_exec
    AFTER UPDATE OF status ON sag_sager
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION sag_status_change_reminder_trigger();

-- ---------------------------------------------------------------------------
-- check_reminder_rate_limit(user_id): true while the user has had fewer than
-- p_max notifications in the last rolling hour. A notification is counted per
-- (firing, recipient), not per channel: the dispatcher logs one 'dispatched'
-- row per firing and recipient.
-- ---------------------------------------------------------------------------
CREATE FUNCTION check_reminder_rate_limit(p_user_id INTEGER, p_max INTEGER DEFAULT 5)
RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT count(*) < p_max
      FROM sag_reminder_logs
     WHERE user_id = p_user_id
       AND status = 'dispatched'
       AND created_at > now() - interval '1 hour';
$$;

-- ---------------------------------------------------------------------------
-- Helper views.
-- ---------------------------------------------------------------------------
CREATE VIEW v_pending_reminders AS
    SELECT r.*, s.titel AS sag_titel, s.status AS sag_status, s.deadline AS sag_deadline
      FROM sag_reminders r
      JOIN sag_sager s ON s.id = r.sag_id
     WHERE r.is_active
       AND r.deleted_at IS NULL
       AND r.trigger_type IN ('time_based', 'deadline_approaching')
       AND r.next_check_at IS NOT NULL
       AND r.next_check_at <= now();

CREATE VIEW v_pending_reminder_queue AS
    SELECT q.*, r.title, r.priority, r.recipient_user_ids, r.recipient_emails
      FROM sag_reminder_queue q
      JOIN sag_reminders r ON r.id = q.reminder_id
     WHERE q.status = 'pending'
     ORDER BY q.created_at, q.id;
