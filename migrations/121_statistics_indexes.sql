-- Statistics of a case and a user's notification history read the execution
-- log by case or by user, in a window of time, counting the six outcomes. These
-- indexes hold only outcome rows and carry the columns the counts need, so a
-- read is an index range scan however long the log grows (no sequential scan).
-- The queries spell the same status list, which lets the planner use them.
-- On a large existing log, create them first with CREATE INDEX CONCURRENTLY
-- under these names: this migration then keeps them.
CREATE INDEX IF NOT EXISTS sag_reminder_logs_case_outcomes_idx ON sag_reminder_logs (sag_id, created_at)
    INCLUDE (status, channel, event_id)
    WHERE status IN ('sent', 'failed', 'rate_limited', 'deferred', 'skipped', 'dry_run');
CREATE INDEX IF NOT EXISTS sag_reminder_logs_user_outcomes_idx ON sag_reminder_logs (user_id, created_at DESC, id DESC)
    INCLUDE (status, channel, event_id)
    WHERE status IN ('sent', 'failed', 'rate_limited', 'deferred', 'skipped', 'dry_run');
-- Delivery latency runs from a firing's `fired` row to its `sent` row.
CREATE INDEX IF NOT EXISTS sag_reminder_logs_fired_idx ON sag_reminder_logs (event_id, created_at)
    WHERE status = 'fired';
-- Acknowledgement rate and time: the in-app entries of a case or a user in a window.
CREATE INDEX IF NOT EXISTS sag_reminder_inbox_case_time_idx ON sag_reminder_inbox (sag_id, created_at) INCLUDE (acknowledged_at);
CREATE INDEX IF NOT EXISTS sag_reminder_inbox_user_time_idx ON sag_reminder_inbox (user_id, created_at) INCLUDE (acknowledged_at);
