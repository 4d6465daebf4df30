/** Retention on PostgreSQL: bounded deletes, each found through an index of what it prunes (migration 006). */
import { type Queryable, sql } from './postgres-database.ts';

// Oldest accounts first; each loses its signals before the cutoff, until `limit` signals are gone; then each
// account's oldest remaining signal is looked up again (from the head of its index).
const PRUNE_SIGNALS = sql(`WITH accounts AS (
    SELECT account_domain FROM account_activity WHERE tenant = $1 AND first_occurred_at < $2
    ORDER BY first_occurred_at LIMIT $3
  ), doomed AS (
    SELECT s.signal_id, s.account_domain FROM accounts a
    CROSS JOIN LATERAL (SELECT signal_id, account_domain FROM signals
      WHERE tenant = $1 AND account_domain = a.account_domain AND occurred_at < $2 LIMIT $3) s
    LIMIT $3
  ), deleted AS (
    DELETE FROM signals s USING doomed d WHERE s.tenant = $1 AND s.signal_id = d.signal_id
    RETURNING s.account_domain, s.signal_id
  ), touched AS (
    SELECT DISTINCT account_domain FROM deleted
  ), refreshed AS (
    -- Every part of one statement sees the rows as they were before it, deleted ones included: skip those.
    UPDATE account_activity a SET first_occurred_at = (SELECT s.occurred_at FROM signals s
      WHERE s.tenant = $1 AND s.account_domain = a.account_domain
        AND NOT EXISTS (SELECT 1 FROM deleted d WHERE d.signal_id = s.signal_id)
      ORDER BY s.occurred_at LIMIT 1)
    FROM touched t WHERE a.tenant = $1 AND a.account_domain = t.account_domain
  )
  SELECT count(*)::int AS deleted FROM deleted`);

export async function pruneSignals(
  db: Queryable,
  tenant: string,
  before: Date,
  limit: number,
): Promise<number> {
  const [row] = await db.query<{ deleted: number }>(PRUNE_SIGNALS, [tenant, before, limit]);
  return row?.deleted ?? 0;
}

const PRUNE_JOBS = sql(`WITH doomed AS (
    SELECT id FROM jobs WHERE state = 'succeeded' AND updated_at < $1 ORDER BY updated_at LIMIT $2
  ), deleted AS (DELETE FROM jobs j USING doomed d WHERE j.id = d.id RETURNING 1)
  SELECT count(*)::int AS deleted FROM deleted`);

export async function pruneFinishedJobs(db: Queryable, before: Date, limit: number): Promise<number> {
  const [row] = await db.query<{ deleted: number }>(PRUNE_JOBS, [before, limit]);
  return row?.deleted ?? 0;
}

const PRUNE_DELIVERIES = sql(`WITH doomed AS (
    SELECT tenant, webhook_id FROM deliveries WHERE received_at < $1 ORDER BY received_at LIMIT $2
  ), deleted AS (DELETE FROM deliveries x USING doomed d
    WHERE x.tenant = d.tenant AND x.webhook_id = d.webhook_id RETURNING 1)
  SELECT count(*)::int AS deleted FROM deleted`);

export async function pruneDeliveries(db: Queryable, before: Date, limit: number): Promise<number> {
  const [row] = await db.query<{ deleted: number }>(PRUNE_DELIVERIES, [before, limit]);
  return row?.deleted ?? 0;
}

const PRUNE_GRID_VERSIONS = sql(`WITH doomed AS (
    SELECT tenant, grid_id, version FROM grid_versions
    WHERE replaced_at IS NOT NULL AND replaced_at < $1 ORDER BY replaced_at LIMIT $2
  ), deleted AS (DELETE FROM grid_versions v USING doomed d
    WHERE v.tenant = d.tenant AND v.grid_id = d.grid_id AND v.version = d.version RETURNING 1)
  SELECT count(*)::int AS deleted FROM deleted`);

export async function pruneGridVersions(db: Queryable, before: Date, limit: number): Promise<number> {
  const [row] = await db.query<{ deleted: number }>(PRUNE_GRID_VERSIONS, [before, limit]);
  return row?.deleted ?? 0;
}
