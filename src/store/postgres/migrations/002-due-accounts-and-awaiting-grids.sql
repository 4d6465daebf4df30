-- The scheduled pass touches only what is due (store: listAccountsDue, listGridIdsAwaitingTask), through indexes.

-- Beside each account's state document: whether it qualifies, when it is next due (by decay or a signal leaving
-- a window; NULL: never by time), and the mapping it was evaluated under. Documents stored before this are due
-- at once, so their first evaluation fills these in.
ALTER TABLE account_state
  ADD COLUMN qualified boolean NOT NULL DEFAULT false,
  ADD COLUMN due_at timestamptz,
  ADD COLUMN basis text NOT NULL DEFAULT '';
UPDATE account_state
  SET qualified = coalesce((doc -> 'verdict' ->> 'qualified')::boolean, false), due_at = 'epoch';
CREATE INDEX account_state_due ON account_state (tenant, due_at);
CREATE INDEX account_state_basis ON account_state (tenant, basis);

-- Whether the grid's AE task is recorded as created (markTaskCreated keeps it with the ledger), so the grids
-- awaiting a task are an index of their own, however many grids have their task.
ALTER TABLE grids ADD COLUMN task_created boolean NOT NULL DEFAULT false;
UPDATE grids g SET task_created = true WHERE EXISTS (
  SELECT 1 FROM ae_task_ledger t WHERE t.tenant = g.tenant AND t.grid_id = g.grid_id AND t.state = 'created');
CREATE INDEX grids_awaiting_task ON grids (tenant, account_domain) WHERE complete AND NOT task_created;

-- An account's grids in grid_id order (byte order, as listed) from the index alone.
DROP INDEX grids_by_account;
CREATE INDEX grids_by_account ON grids (tenant, account_domain, grid_id COLLATE "C");
