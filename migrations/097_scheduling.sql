-- Scheduling: keeps next_check_at right for time_based and deadline_approaching
-- reminders, wakes the scheduler when it changes, and records snoozes that
-- re-fire a reminder for one recipient.

-- The offset before the case deadline at which a deadline_approaching reminder
-- fires: trigger_config.hours_before (may be fractional), 24 hours when absent.
CREATE FUNCTION sag_reminder_deadline_offset(config JSONB) RETURNS INTERVAL
LANGUAGE sql IMMUTABLE AS $$
    SELECT make_interval(secs => COALESCE((config ->> 'hours_before')::numeric, 24) * 3600);
$$;

-- A new or rescheduled reminder gets its first due time: scheduled_at for a
-- time_based one, the case deadline minus the offset for a deadline one.
CREATE FUNCTION sag_reminder_schedule() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    case_deadline TIMESTAMPTZ;
BEGIN
    IF NEW.trigger_type = 'time_based' THEN
        IF TG_OP = 'INSERT' THEN
            NEW.next_check_at := COALESCE(NEW.next_check_at, NEW.scheduled_at);
        ELSIF NEW.scheduled_at IS DISTINCT FROM OLD.scheduled_at
              OR NEW.recurrence_type IS DISTINCT FROM OLD.recurrence_type
              OR NEW.trigger_type IS DISTINCT FROM OLD.trigger_type THEN
            NEW.next_check_at := NEW.scheduled_at;
        END IF;
    ELSIF NEW.trigger_type = 'deadline_approaching' THEN
        IF TG_OP = 'INSERT'
           OR NEW.trigger_config IS DISTINCT FROM OLD.trigger_config
           OR NEW.trigger_type IS DISTINCT FROM OLD.trigger_type THEN
            SELECT deadline INTO case_deadline FROM sag_sager WHERE id = NEW.sag_id;
            NEW.next_check_at := case_deadline - sag_reminder_deadline_offset(NEW.trigger_config);
        END IF;
    ELSE
        NEW.next_check_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_reminder_schedule_exec
    BEFORE INSERT OR UPDATE ON sag_reminders
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_schedule();

-- Moving a case's deadline reschedules its deadline reminders (a cleared
-- deadline unschedules them).
CREATE FUNCTION sag_deadline_change_reschedule() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sag_reminders
       SET next_check_at = NEW.deadline - sag_reminder_deadline_offset(trigger_config),
           updated_at = now()
     WHERE sag_id = NEW.id
       AND trigger_type = 'deadline_approaching'
       AND is_active
       AND deleted_at IS NULL;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_deadline_change_reschedule_exec
    AFTER UPDATE OF deadline ON sag_sager
    FOR EACH ROW
    WHEN (OLD.deadline IS DISTINCT FROM NEW.deadline)
    EXECUTE FUNCTION sag_deadline_change_reschedule();

-- One wake-up per statement that touched reminders, so a sleeping scheduler
-- re-reads the earliest due time at once.
CREATE FUNCTION sag_reminder_schedule_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reminder_schedule', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER sag_reminder_schedule_notify_exec
    AFTER INSERT OR UPDATE ON sag_reminders
    FOR EACH STATEMENT EXECUTE FUNCTION sag_reminder_schedule_notify();

-- ---------------------------------------------------------------------------
-- Snoozes: one recipient asked to be reminded again later. The scheduler
-- re-fires the reminder for that recipient alone once snoozed_until passes.
-- ---------------------------------------------------------------------------
CREATE TABLE sag_reminder_snoozes (
    id                  BIGSERIAL PRIMARY KEY,
    reminder_id         INTEGER NOT NULL REFERENCES sag_reminders (id),
    user_id             INTEGER NOT NULL REFERENCES users (user_id),
    snoozed_until       TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    refired_event_id    UUID,
    refired_at          TIMESTAMPTZ,
    cancelled_at        TIMESTAMPTZ
);
CREATE INDEX sag_reminder_snoozes_due_idx ON sag_reminder_snoozes (snoozed_until)
    WHERE refired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX sag_reminder_snoozes_recipient_idx ON sag_reminder_snoozes (reminder_id, user_id);

CREATE TRIGGER sag_reminder_snooze_notify_exec
    AFTER INSERT OR UPDATE ON sag_reminder_snoozes
    FOR EACH STATEMENT EXECUTE FUNCTION sag_reminder_schedule_notify();

-- Dismissals are per recipient; the dispatcher checks them for every firing.
CREATE INDEX sag_reminder_logs_interaction_idx ON sag_reminder_logs (reminder_id, user_id, status)
    WHERE status IN ('dismissed', 'acknowledged');

-- Existing time_based reminders without a due time get one.
UPDATE sag_reminders
   SET next_check_at = scheduled_at
 WHERE trigger_type = 'time_based' AND next_check_at IS NULL AND is_active AND deleted_at IS NULL;
