-- Reminders follow their case. When a case reaches a closing status, or is
-- soft-deleted, its live time_based and deadline_approaching reminders are
-- completed: deactivated and stopped (so their pending in-app entries leave
-- the inbox and deliveries not yet sent are skipped, as for a reminder a
-- person stopped), with a 'completed' log row saying why. When the case leaves
-- the closing statuses again, the recurring ones among them are handed back to
-- the scheduler, which re-arms each at its next occurrence after the reopening
-- (one firing for the future, none for the periods missed meanwhile).

-- New outcomes of the execution log: completed (by the case), rearmed (by its
-- reopening), held (a notification kept back by the rate limit and released
-- later) and escalated (an escalation step fired).
ALTER TABLE sag_reminder_logs DROP CONSTRAINT sag_reminder_logs_status_check;
ALTER TABLE sag_reminder_logs ADD CONSTRAINT sag_reminder_logs_status_check
    CHECK (status IN (
        'fired', 'dispatched', 'sent', 'failed', 'retrying', 'rate_limited',
        'dry_run', 'skipped', 'deferred',
        'snoozed', 'dismissed', 'acknowledged',
        'replayed',
        'completed', 'rearmed', 'held', 'escalated'
    ));

-- completed_at: when the case completed the reminder (NULL for any other
-- stop, so only these come back on a reopening). rearm_pending: the case
-- reopened and the scheduler has still to compute the next occurrence.
ALTER TABLE sag_reminders
    ADD COLUMN completed_at TIMESTAMPTZ,
    ADD COLUMN rearm_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sag_reminders_rearm_idx ON sag_reminders (id) WHERE rearm_pending;

-- An inbox entry the case withdrew: it leaves the pending list for good, even
-- when the reminder comes back on a reopening (a new firing brings a new one).
ALTER TABLE sag_reminder_inbox ADD COLUMN withdrawn_at TIMESTAMPTZ;

-- The statuses that close a case (REMINDERS_CASE_CLOSED_STATUSES). The
-- scheduler writes its configured list here at start; the trigger below runs
-- in the host application's transactions and reads it from here.
CREATE TABLE sag_reminder_closing_statuses (
    status TEXT PRIMARY KEY
);
INSERT INTO sag_reminder_closing_statuses (status) VALUES ('afsluttet'), ('lukket');

CREATE FUNCTION sag_case_is_closed(p_status TEXT, p_deleted_at TIMESTAMPTZ) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT p_deleted_at IS NOT NULL
        OR EXISTS (SELECT 1 FROM sag_reminder_closing_statuses WHERE status = p_status);
$$;

CREATE FUNCTION sag_case_follow_reminders() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was_closed BOOLEAN := sag_case_is_closed(OLD.status, OLD.deleted_at);
    is_closed  BOOLEAN := sag_case_is_closed(NEW.status, NEW.deleted_at);
    detail     JSONB := jsonb_build_object('case_status', NEW.status, 'case_deleted', NEW.deleted_at IS NOT NULL);
BEGIN
    IF is_closed AND NOT was_closed THEN
        WITH completed AS (
            UPDATE sag_reminders
               SET is_active = FALSE, stopped_at = clock_timestamp(), completed_at = clock_timestamp(),
                   rearm_pending = FALSE, updated_at = now()
             WHERE sag_id = NEW.id
               AND trigger_type IN ('time_based', 'deadline_approaching')
               -- Also one still waiting for its re-arming from an earlier reopening.
               AND (is_active OR rearm_pending) AND deleted_at IS NULL
            RETURNING id, sag_id
        ), withdrawn AS (
            UPDATE sag_reminder_inbox i
               SET withdrawn_at = clock_timestamp()
              FROM completed c
             WHERE i.reminder_id = c.id
               AND i.dismissed_at IS NULL AND i.acknowledged_at IS NULL AND i.withdrawn_at IS NULL
        )
        INSERT INTO sag_reminder_logs (reminder_id, sag_id, status, reason, payload, dedupe_key)
        SELECT id, sag_id, 'completed', 'case closed', detail, 'case-follow:completed:' || id || ':' || txid_current()
          FROM completed;
    ELSIF was_closed AND NOT is_closed THEN
        WITH rearmed AS (
            UPDATE sag_reminders
               SET stopped_at = NULL, completed_at = NULL, rearm_pending = TRUE, updated_at = now()
             WHERE sag_id = NEW.id
               AND completed_at IS NOT NULL
               AND deleted_at IS NULL
               AND trigger_type = 'time_based'
               AND recurrence_type <> 'once'
            RETURNING id, sag_id
        )
        INSERT INTO sag_reminder_logs (reminder_id, sag_id, status, reason, payload, dedupe_key)
        SELECT id, sag_id, 'rearmed', 'case reopened', detail, 'case-follow:rearmed:' || id || ':' || txid_current()
          FROM rearmed;
        -- The scheduler re-arms them at their next occurrence.
        PERFORM pg_notify('reminder_schedule', '');
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sag_case_follow_reminders_exec
    AFTER UPDATE OF status, deleted_at ON sag_sager
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION sag_case_follow_reminders();
