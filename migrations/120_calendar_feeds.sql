-- Calendar feeds: each user's reminders as an iCalendar (RFC 5545) feed that a
-- calendar application subscribes to.

-- A calendar application cannot send an Authorization header, so a user may
-- have one feed token in the URL instead. Only its SHA-256 (hex) is kept;
-- creating a new one replaces (rotates) the old, deleting it revokes the feed.
CREATE TABLE user_calendar_feeds (
    user_id        INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    token_sha256   TEXT NOT NULL CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The event's SEQUENCE (RFC 5545): it rises whenever something a calendar
-- shows changes, so subscribed calendars take the new version. The
-- scheduler's own bookkeeping (next_check_at, last_fired_at, fire_count, and
-- is_active of a one-off reminder that fired) does not count.
ALTER TABLE sag_reminders ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION sag_reminders_calendar_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title IS DISTINCT FROM OLD.title
       OR NEW.message IS DISTINCT FROM OLD.message
       OR NEW.priority IS DISTINCT FROM OLD.priority
       OR NEW.trigger_type IS DISTINCT FROM OLD.trigger_type
       OR NEW.trigger_config IS DISTINCT FROM OLD.trigger_config
       OR NEW.recurrence_type IS DISTINCT FROM OLD.recurrence_type
       OR NEW.timezone IS DISTINCT FROM OLD.timezone
       OR NEW.scheduled_at IS DISTINCT FROM OLD.scheduled_at
       OR NEW.recipient_user_ids IS DISTINCT FROM OLD.recipient_user_ids
       OR NEW.stopped_at IS DISTINCT FROM OLD.stopped_at
       OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN
        NEW.calendar_sequence := OLD.calendar_sequence + 1;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_reminders_calendar_sequence_exec
    BEFORE UPDATE ON sag_reminders
    FOR EACH ROW EXECUTE FUNCTION sag_reminders_calendar_sequence();

-- A deadline reminder's event sits at the case's deadline: moving the
-- deadline (or renaming the case, which the event's text shows) changes it.
CREATE FUNCTION sag_case_calendar_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sag_reminders
       SET calendar_sequence = calendar_sequence + 1
     WHERE sag_id = NEW.id
       AND deleted_at IS NULL
       AND trigger_type IN ('time_based', 'deadline_approaching')
       AND (trigger_type = 'deadline_approaching' OR OLD.titel IS DISTINCT FROM NEW.titel);
    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_case_calendar_sequence_exec
    AFTER UPDATE OF deadline, titel ON sag_sager
    FOR EACH ROW
    WHEN (OLD.deadline IS DISTINCT FROM NEW.deadline OR OLD.titel IS DISTINCT FROM NEW.titel)
    EXECUTE FUNCTION sag_case_calendar_sequence();

-- The feed reads a user's live calendar reminders by recipient
-- (recipient_user_ids @> ARRAY[user]).
CREATE INDEX sag_reminders_calendar_recipients_idx ON sag_reminders USING gin (recipient_user_ids)
    WHERE deleted_at IS NULL AND stopped_at IS NULL AND trigger_type IN ('time_based', 'deadline_approaching');
