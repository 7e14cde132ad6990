-- The scheduler needs waking only when a due time may have changed. Woken by
-- any update of sag_reminders, it was also woken by the status trigger's
-- bookkeeping (last_fired_at, fire_count) on every case status change —
-- under load it re-read its next due time once per change (found by the
-- load run). The statement trigger now names the columns that schedule.
DROP TRIGGER sag_reminder_schedule_notify_exec ON sag_reminders;

CREATE TRIGGER sag_reminder_schedule_notify_exec
    AFTER INSERT OR UPDATE OF next_check_at, scheduled_at, recurrence_type, timezone, trigger_type, trigger_config,
                              sag_id, is_active, deleted_at
    ON sag_reminders
    FOR EACH STATEMENT EXECUTE FUNCTION sag_reminder_schedule_notify();
