-- A statement-level trigger fires even when its statement touches no row. The
-- scheduler's snooze statement runs on every pass and mostly matches nothing,
-- yet its UPDATE of sag_reminder_snoozes sent a wake-up to the scheduler
-- itself, and its empty INSERT into reminder_outbox woke the relay: both
-- looped without pause while idle, hundreds of times a second (found by the
-- load run). Row-level triggers fire only for rows, and PostgreSQL delivers
-- one notification per channel and payload per transaction however many rows
-- sent it, so a bulk insert still wakes the relay once.
DROP TRIGGER reminder_outbox_notify_exec ON reminder_outbox;
CREATE TRIGGER reminder_outbox_notify_exec
    AFTER INSERT ON reminder_outbox
    FOR EACH ROW EXECUTE FUNCTION reminder_outbox_notify();

DROP TRIGGER sag_reminder_schedule_notify_exec ON sag_reminders;
CREATE TRIGGER sag_reminder_schedule_notify_exec
    AFTER INSERT OR UPDATE OF next_check_at, scheduled_at, recurrence_type, timezone, trigger_type, trigger_config,
                              sag_id, is_active, deleted_at
    ON sag_reminders
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_schedule_notify();

DROP TRIGGER sag_reminder_snooze_notify_exec ON sag_reminder_snoozes;
CREATE TRIGGER sag_reminder_snooze_notify_exec
    AFTER INSERT OR UPDATE ON sag_reminder_snoozes
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_schedule_notify();
