-- Three indexes of the execution log that no query reads. Every log row
-- (about three for each notification) wrote an entry in each of them.
--   * sag_reminder_logs_event_idx (event_id): the one read of a firing's rows
--     looks for its `fired` row, through sag_reminder_logs_fired_idx (121).
--   * sag_reminder_logs_user_time_idx (user_id, created_at): a user's history,
--     statistics and held list read outcome rows through
--     sag_reminder_logs_user_outcomes_idx (121); the rate window, the digests
--     and check_reminder_rate_limit read dispatches through
--     sag_reminder_logs_user_dispatches_idx (113); dismissals are read through
--     sag_reminder_logs_interaction_idx (097).
--   * sag_reminder_logs_email_time_idx (recipient_email, created_at): a bare
--     address's rate window reads sag_reminder_logs_address_dispatches_idx (113).
-- The readers' plans are held by tests that count PostgreSQL's own scans.
DROP INDEX IF EXISTS sag_reminder_logs_event_idx;
DROP INDEX IF EXISTS sag_reminder_logs_user_time_idx;
DROP INDEX IF EXISTS sag_reminder_logs_email_time_idx;
