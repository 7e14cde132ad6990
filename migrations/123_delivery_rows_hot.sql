-- Every delivery row is inserted when a worker claims it and updated once
-- when its outcome is recorded, in the same transaction. The status index
-- made that update change an indexed column, so each one wrote a new entry in
-- both of the table's indexes; no service reads deliveries by status (the
-- load checks count them whole). Without it, and with room left in each page,
-- the update stays on its page and touches no index (a HOT update).
DROP INDEX IF EXISTS sag_reminder_deliveries_status_idx;
ALTER TABLE sag_reminder_deliveries SET (fillfactor = 80);
