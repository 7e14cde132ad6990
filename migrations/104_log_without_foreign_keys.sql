-- The execution log and the in-app inbox are written many times per
-- notification by several services at once. Each row's foreign keys cost a
-- lookup that also takes a share lock on the parent row, so every concurrent
-- writer touching the same reminder, case or user stamped a multixact on it
-- (the load run counted 260,000 such checks in 30 s, among PostgreSQL's
-- largest costs). The values come from rows the pipeline itself read;
-- reminders and cases are only ever soft-deleted, and an audit trail should
-- not stop the host from removing a user. So these tables keep the ids
-- without the constraints.
ALTER TABLE sag_reminder_logs DROP CONSTRAINT IF EXISTS sag_reminder_logs_reminder_id_fkey;
ALTER TABLE sag_reminder_logs DROP CONSTRAINT IF EXISTS sag_reminder_logs_sag_id_fkey;
ALTER TABLE sag_reminder_logs DROP CONSTRAINT IF EXISTS sag_reminder_logs_user_id_fkey;
ALTER TABLE sag_reminder_inbox DROP CONSTRAINT IF EXISTS sag_reminder_inbox_reminder_id_fkey;
ALTER TABLE sag_reminder_inbox DROP CONSTRAINT IF EXISTS sag_reminder_inbox_sag_id_fkey;
ALTER TABLE sag_reminder_inbox DROP CONSTRAINT IF EXISTS sag_reminder_inbox_user_id_fkey;
