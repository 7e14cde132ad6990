-- The dispatcher's rate-window read (each recipient's dispatches in the last
-- hour) went through the per-user time index, which holds every log row of
-- the hour, whatever its status: at 1,000 notifications/s a user collects
-- hundreds of skipped, limited and sent rows, each fetched from the heap to
-- be thrown away (8.8 ms per read in a load run, a fifth of PostgreSQL's
-- statement time). These indexes hold the dispatches only, and carry every
-- column the read returns.
CREATE INDEX sag_reminder_logs_user_dispatches_idx ON sag_reminder_logs (user_id, created_at)
    WHERE status = 'dispatched';
CREATE INDEX sag_reminder_logs_address_dispatches_idx ON sag_reminder_logs (recipient_email, created_at)
    WHERE status = 'dispatched' AND user_id IS NULL;
