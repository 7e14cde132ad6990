-- Escalation: a reminder may carry up to 5 steps, each "when nobody reacted
-- to a firing within after_minutes, notify to_user_ids on channels".
ALTER TABLE sag_reminders ADD COLUMN escalation JSONB;

-- An escalation step re-fires the reminder for the step's users.
ALTER TABLE sag_reminder_queue DROP CONSTRAINT sag_reminder_queue_event_type_check;
ALTER TABLE sag_reminder_queue ADD CONSTRAINT sag_reminder_queue_event_type_check
    CHECK (event_type IN ('status_change', 'deadline_approaching', 'time_based', 'snooze', 'escalation'));

-- A step that never fires is logged as such, not as 'skipped': it is no
-- notification outcome, and statistics count 'skipped' rows as outcomes.
ALTER TABLE sag_reminder_logs DROP CONSTRAINT sag_reminder_logs_status_check;
ALTER TABLE sag_reminder_logs ADD CONSTRAINT sag_reminder_logs_status_check
    CHECK (status IN (
        'fired', 'dispatched', 'sent', 'failed', 'retrying', 'rate_limited',
        'dry_run', 'skipped', 'deferred',
        'snoozed', 'dismissed', 'acknowledged',
        'replayed',
        'completed', 'rearmed', 'held', 'escalated', 'escalation_stopped'
    ));

-- One row per step of each dispatched firing of an escalating reminder,
-- written by the dispatcher in the firing's own transaction. The scheduler
-- claims due rows with SKIP LOCKED and settles each once: fired (with the
-- events it wrote) or stopped (an original recipient acknowledged or
-- dismissed, or the reminder stopped), with the reason.
CREATE TABLE sag_reminder_escalations (
    event_id       UUID        NOT NULL,
    step           INTEGER     NOT NULL,
    reminder_id    INTEGER     NOT NULL,
    sag_id         INTEGER     NOT NULL,
    fired_at       TIMESTAMPTZ NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    state          TEXT        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fired', 'stopped')),
    settled_at     TIMESTAMPTZ,
    reason         TEXT,
    fired_event_ids UUID[],
    PRIMARY KEY (event_id, step)
);
CREATE INDEX sag_reminder_escalations_due_idx ON sag_reminder_escalations (due_at) WHERE state = 'pending';

CREATE TRIGGER sag_reminder_escalations_notify_exec
    AFTER INSERT ON sag_reminder_escalations
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_schedule_notify();
