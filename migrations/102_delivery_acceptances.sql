-- A send the server accepted, written the moment it was accepted and outside
-- the worker's batch transaction. Deliveries are claimed, sent and recorded in
-- one transaction per batch; if the worker dies before that commits, the next
-- owner claims the delivery again and finds here that it went out, so it
-- records it as sent instead of sending it a second time. The batch's own
-- transaction deletes these rows when it records the outcomes.
CREATE TABLE sag_reminder_delivery_acceptances (
    delivery_id TEXT        NOT NULL,
    attempt     INTEGER     NOT NULL,
    message_id  TEXT,
    accepted_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (delivery_id, attempt)
);
