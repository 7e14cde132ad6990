-- Poison rows in the outbox. A row the relay cannot publish (its headers are
-- not a flat JSON object of strings, the broker refuses the record for its own
-- sake, or it fails again and again) used to stop the relay for good: it
-- retried the same batch forever. Now such a row is quarantined: set aside
-- with the error and the time, left out of the relay's reads, and listed by
-- `reminders outbox quarantined` until an operator requeues it.
ALTER TABLE reminder_outbox
    ADD COLUMN publish_attempts INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_error TEXT,
    ADD COLUMN quarantined_at TIMESTAMPTZ;

-- The relay's due-rows read must stay on its index: the partial index now
-- leaves out quarantined rows too.
DROP INDEX reminder_outbox_due_idx;
CREATE INDEX reminder_outbox_due_idx ON reminder_outbox (available_at, id)
    WHERE published_at IS NULL AND quarantined_at IS NULL;

-- What the operator lists: normally none, so the index is tiny.
CREATE INDEX reminder_outbox_quarantined_idx ON reminder_outbox (id)
    WHERE quarantined_at IS NOT NULL AND published_at IS NULL;
