-- The scheduler reads all of a user's unreleased held items once it holds the
-- user's rate lock (one digest carries them all, due or not), so it finds them
-- by user rather than by due time.
CREATE INDEX sag_reminder_held_user_idx ON sag_reminder_held (user_id) WHERE released_at IS NULL;
