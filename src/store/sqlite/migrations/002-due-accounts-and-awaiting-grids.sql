-- The scheduled pass touches only what is due (store: listAccountsDue, listGridIdsAwaitingTask), through indexes.

-- Beside each account's state document: whether it qualifies, when it is next due (by decay or a signal leaving
-- a window; NULL: never by time), and the mapping it was evaluated under. Documents stored before this are due
-- at once, so their first evaluation fills these in.
ALTER TABLE account_state ADD COLUMN qualified INTEGER NOT NULL DEFAULT 0 CHECK (qualified IN (0, 1));
ALTER TABLE account_state ADD COLUMN due_at INTEGER;
ALTER TABLE account_state ADD COLUMN basis TEXT NOT NULL DEFAULT '';
UPDATE account_state SET qualified = coalesce(json_extract(doc, '$.verdict.qualified'), 0), due_at = 0;
CREATE INDEX account_state_due ON account_state (tenant, due_at);
CREATE INDEX account_state_basis ON account_state (tenant, basis);

-- Whether the grid's AE task is recorded as created (markTaskCreated keeps it with the ledger), so the grids
-- awaiting a task are an index of their own, however many grids have their task.
ALTER TABLE grids ADD COLUMN task_created INTEGER NOT NULL DEFAULT 0 CHECK (task_created IN (0, 1));
UPDATE grids SET task_created = 1 WHERE EXISTS (
  SELECT 1 FROM ae_task_ledger t WHERE t.tenant = grids.tenant AND t.grid_id = grids.grid_id AND t.state = 'created');
CREATE INDEX grids_awaiting_task ON grids (tenant, account_domain) WHERE complete = 1 AND task_created = 0;

-- An account's grids in grid_id order from the index alone: with (tenant, account_domain) only, SQLite chose the
-- primary key for ORDER BY grid_id and scanned the whole tenant (1.1 s per call at 1M grids).
DROP INDEX grids_by_account;
CREATE INDEX grids_by_account ON grids (tenant, account_domain, grid_id);
