-- Held, not dropped. With REMINDERS_HELD_DIGEST=true the dispatcher notes
-- here every user notification the rate limit held back (the log keeps its
-- 'rate_limited' row as before). The scheduler sends the user one digest
-- e-mail of them once the user's rolling hour admits a notification again and
-- outside the user's quiet hours; the digest is itself one notification
-- ('dispatched'), and each item it carries is logged 'held'.
CREATE TABLE sag_reminder_held (
    event_id         UUID        NOT NULL,
    user_id          INTEGER     NOT NULL,
    reminder_id      INTEGER     NOT NULL,
    sag_id           INTEGER     NOT NULL,
    held_at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    -- When the scheduler looks at this user's held items again: at once when
    -- held, then when the window or the quiet hours end.
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    -- The digest that carried it; NULL with released_at set when it had no
    -- e-mail to give (the reminder or the user's preferences chose no e-mail,
    -- the reminder stopped, or 7 days passed).
    digest_event_id  UUID,
    released_at      TIMESTAMPTZ,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX sag_reminder_held_due_idx ON sag_reminder_held (next_attempt_at) WHERE released_at IS NULL;

-- A newly held item wakes the scheduler (its due time may be now).
CREATE TRIGGER sag_reminder_held_notify_exec
    AFTER INSERT ON sag_reminder_held
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_schedule_notify();
