-- Retention (src/worker/retention.ts): what is pruned is found through an index of its own, a bounded batch at a
-- time, so a sweep costs what it deletes, not what is stored.

-- Each account's oldest stored signal: the accounts with signals past the cutoff, without an index on the hot
-- signals table by time alone (intake keeps it with last_occurred_at).
ALTER TABLE account_activity ADD COLUMN first_occurred_at INTEGER;
UPDATE account_activity SET first_occurred_at = (SELECT min(s.occurred_at) FROM signals s
  WHERE s.tenant = account_activity.tenant AND s.account_domain = account_activity.account_domain);
CREATE INDEX account_activity_oldest ON account_activity (tenant, first_occurred_at);

-- Finished jobs by the time they finished; dead jobs stay (dead letters wait for an operator).
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state = 'succeeded';

-- Stored answers by the time the delivery came: a repeat past the signature's timestamp tolerance is refused
-- before its answer is looked up, so older answers are never replayed.
CREATE INDEX deliveries_by_time ON deliveries (received_at);

-- When a version stopped being the current one (superseded versions never were): only those are pruned. Rows
-- replaced before this migration are dated by their own arrival.
ALTER TABLE grid_versions ADD COLUMN replaced_at INTEGER;
UPDATE grid_versions SET replaced_at = received_at WHERE version <> (SELECT g.current_version FROM grids g
  WHERE g.tenant = grid_versions.tenant AND g.grid_id = grid_versions.grid_id);
CREATE INDEX grid_versions_replaced ON grid_versions (replaced_at) WHERE replaced_at IS NOT NULL;
