-- Who may see a case is the host application's rule, not ours. The gateway
-- asks this function for every route that names a case or a reminder, and
-- answers 404 when it says no. This default lets every authenticated user in;
-- the host replaces it (same name and signature, CREATE OR REPLACE) with its
-- own rule, for example a join on its case-membership table. It must be
-- cheap: it runs once per request.
CREATE OR REPLACE FUNCTION reminders_can_access_case(p_user_id INTEGER, p_sag_id INTEGER)
RETURNS BOOLEAN
LANGUAGE sql STABLE
AS $$ SELECT TRUE $$;

-- The execution log is the audit trail: rows are added, never changed or
-- removed. Interactions that repeat are written once (dedupe keys), so
-- nothing in the services needs to update a log row.
CREATE OR REPLACE FUNCTION sag_reminder_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'sag_reminder_logs is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER sag_reminder_logs_append_only
    BEFORE UPDATE OR DELETE ON sag_reminder_logs
    FOR EACH ROW EXECUTE FUNCTION sag_reminder_logs_refuse_change();

CREATE TRIGGER sag_reminder_logs_no_truncate
    BEFORE TRUNCATE ON sag_reminder_logs
    FOR EACH STATEMENT EXECUTE FUNCTION sag_reminder_logs_refuse_change();

-- The per-creator quota counts a creator's reminders of the last hour.
CREATE INDEX IF NOT EXISTS sag_reminders_creator_time_idx ON sag_reminders (created_by_user_id, created_at);

-- When a person stopped the reminder through the API: deleted it, or set
-- is_active to false. (The scheduler also clears is_active, when a one-off
-- reminder fires; that firing must still be delivered, so is_active alone
-- cannot tell the two apart.) Deliveries not yet sent are skipped and in-app
-- entries leave the pending list while it is set.
ALTER TABLE sag_reminders ADD COLUMN IF NOT EXISTS stopped_at TIMESTAMPTZ;
UPDATE sag_reminders SET stopped_at = deleted_at WHERE deleted_at IS NOT NULL AND stopped_at IS NULL;
