-- The gateway keeps each caller's pending list in memory and drops it when
-- the list may have changed. New entries are announced already (migration
-- 098); these announce the other changes, so every gateway replica hears of a
-- dismiss, acknowledge or snooze made through another one, and of a reminder
-- that a person stopped or restarted (its entries leave or rejoin the lists).
CREATE FUNCTION sag_reminder_inbox_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reminder_inbox', json_build_object('user_id', NEW.user_id, 'id', NEW.id, 'changed', true)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER sag_reminder_inbox_notify_change_exec
    AFTER UPDATE ON sag_reminder_inbox
    FOR EACH ROW
    WHEN (OLD.dismissed_at IS DISTINCT FROM NEW.dismissed_at
          OR OLD.acknowledged_at IS DISTINCT FROM NEW.acknowledged_at
          OR OLD.snoozed_until IS DISTINCT FROM NEW.snoozed_until)
    EXECUTE FUNCTION sag_reminder_inbox_notify_change();

CREATE FUNCTION sag_reminders_notify_stopped() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reminder_inbox', json_build_object('reminder_id', NEW.id)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER sag_reminders_notify_stopped_exec
    AFTER UPDATE OF stopped_at ON sag_reminders
    FOR EACH ROW
    WHEN (OLD.stopped_at IS DISTINCT FROM NEW.stopped_at)
    EXECUTE FUNCTION sag_reminders_notify_stopped();
