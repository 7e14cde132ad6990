-- The in-app inbox: one row per frontend delivery, read by the gateway
-- (GET /api/v1/reminders/pending/me and the SSE stream) and acted on by the
-- recipient (snooze, dismiss, acknowledge).

CREATE TABLE sag_reminder_inbox (
    id                BIGSERIAL PRIMARY KEY,
    -- The delivery this entry came from; a redelivered message finds it here.
    delivery_id       TEXT NOT NULL UNIQUE,
    event_id          UUID NOT NULL,
    reminder_id       INTEGER NOT NULL REFERENCES sag_reminders (id),
    sag_id            INTEGER NOT NULL REFERENCES sag_sager (id),
    user_id           INTEGER NOT NULL REFERENCES users (user_id),
    title             TEXT NOT NULL,
    message           TEXT,
    priority          TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    case_title        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    seen_at           TIMESTAMPTZ,
    snoozed_until     TIMESTAMPTZ,
    dismissed_at      TIMESTAMPTZ,
    acknowledged_at   TIMESTAMPTZ
);

-- What a user still has to look at, newest first.
CREATE INDEX sag_reminder_inbox_pending_idx ON sag_reminder_inbox (user_id, id DESC)
    WHERE dismissed_at IS NULL AND acknowledged_at IS NULL;

-- Tells the gateway a user has a new entry, so it can push it at once.
CREATE FUNCTION sag_reminder_inbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reminder_inbox', json_build_object('user_id', NEW.user_id, 'id', NEW.id)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER sag_reminder_inbox_notify_exec
    AFTER INSERT ON sag_reminder_inbox
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_inbox_notify();
