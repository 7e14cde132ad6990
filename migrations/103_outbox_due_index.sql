-- Rows held for a recipient's quiet hours stay unpublished with a future
-- available_at. The relay read unpublished rows through an index in id order
-- and filtered on available_at, so every fetch walked past every held row
-- (found by the load run: 9 ms per fetch once a few thousand were held). This
-- index reads only the rows due now; the relay sorts that set, normally
-- small, by id.
CREATE INDEX reminder_outbox_due_idx ON reminder_outbox (available_at, id) WHERE published_at IS NULL;
DROP INDEX reminder_outbox_unpublished_idx;

-- Queue-like tables: every outbox row is updated once when published, and
-- every acceptance note is deleted when its batch records. With the default
-- thresholds (20 % of the table) their indexes fill with dead entries that
-- each read walks past; vacuum them after a fixed number of changes instead.
ALTER TABLE reminder_outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                                 autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);
ALTER TABLE sag_reminder_delivery_acceptances SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
                                                   autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000);
ALTER TABLE sag_reminder_deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
