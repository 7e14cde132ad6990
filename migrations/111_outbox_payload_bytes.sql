-- A dead letter keeps the bytes of the message it parks, which need not be
-- JSON, nor even UTF-8 (a NUL byte, say), and a replay must put those very
-- bytes back on the topic. jsonb cannot hold them, so such a row carries them
-- here; the relay publishes payload_bytes when set, and payload then holds a
-- readable copy (a JSON string) for people reading the table.
ALTER TABLE reminder_outbox ADD COLUMN payload_bytes BYTEA;
