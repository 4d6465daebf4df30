/**
 * What operators ask of the queue on PostgreSQL (QueueInspection) and the grid listing. Reads run on any
 * connection; the replay is one statement, so it is atomic without a transaction of its own.
 */
import type { Job, JobKind } from '../job.ts';
import type { DeadJobFilter, GridListEntry, JobStat } from '../store.ts';
import { type Queryable, sql } from './postgres-database.ts';
import { JOB_COLUMNS, type JobRow, toJob } from './postgres-jobs.ts';

/**
 * A dead job is a dead letter only while it is the latest job of its key: once a newer job for the same grid
 * (or account) exists, that one says where the work stands.
 */
const LATEST_OF_KEY =
  'NOT EXISTS (SELECT 1 FROM jobs n WHERE n.tenant = j.tenant AND n.key = j.key AND n.id > j.id)';

const JOB_STATS = sql(`SELECT tenant, kind, state, COUNT(*)::int AS count,
    COUNT(*) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL)::int AS with_error,
    MIN(run_at) FILTER (WHERE state = 'pending' AND run_at <= $1) AS oldest
  FROM jobs j WHERE state = ANY ('{pending,running}'::text[]) OR (state = 'dead' AND ${LATEST_OF_KEY})
  GROUP BY tenant, kind, state ORDER BY tenant, kind, state`);

export async function jobStats(db: Queryable, now: Date): Promise<JobStat[]> {
  const rows = await db.query<{
    tenant: string;
    kind: JobStat['kind'];
    state: JobStat['state'];
    count: number;
    with_error: number;
    oldest: Date | null;
  }>(JOB_STATS, [now]);
  return rows.map((row) => ({
    tenant: row.tenant,
    kind: row.kind,
    state: row.state,
    count: row.count,
    withError: row.with_error,
    oldestDueAt: row.oldest,
  }));
}

// On jobs_succeeded (004): the newest entry of (tenant, kind), not the tenant's history.
const LAST_SUCCEEDED = sql(`SELECT MAX(updated_at) AS at FROM jobs
  WHERE state = 'succeeded' AND tenant = $1 AND kind = $2`);

export async function lastSucceededAt(db: Queryable, tenant: string, kind: JobKind): Promise<Date | null> {
  const [row] = await db.query<{ at: Date | null }>(LAST_SUCCEEDED, [tenant, kind]);
  return row?.at ?? null;
}

// Every condition is optional: a NULL parameter leaves its condition out, so one prepared statement serves.
const DEAD_JOBS = sql(`SELECT ${JOB_COLUMNS.split(', ')
  .map((c) => `j.${c}`)
  .join(', ')} FROM jobs j
  WHERE j.state = 'dead' AND ${LATEST_OF_KEY}
    AND ($1::text IS NULL OR j.tenant = $1)
    AND ($2::text IS NULL OR j.kind = $2)
    AND ($3::bigint[] IS NULL OR j.id = ANY ($3))
    AND ($4::text[] IS NULL OR (j.kind = 'grid.sync' AND j.payload->>'gridId' = ANY ($4)))
    AND ($5::timestamptz IS NULL OR j.updated_at >= $5)
    AND ($6::timestamptz IS NULL OR j.updated_at < $6)
  ORDER BY j.updated_at DESC, j.id DESC LIMIT $7`);

export async function listDeadJobs(db: Queryable, filter: DeadJobFilter): Promise<Job[]> {
  const rows = await db.query<JobRow>(DEAD_JOBS, [
    filter.tenant ?? null,
    filter.kind ?? null,
    filter.ids === undefined ? null : filter.ids.filter(isJobId),
    filter.gridIds ?? null,
    filter.since ?? null,
    filter.until ?? null,
    filter.limit ?? null,
  ]);
  return rows.map(toJob);
}

const REQUEUE = sql(`UPDATE jobs SET state = 'pending', attempts = 0, run_at = $2, lease_until = NULL,
    locked_by = NULL, updated_at = $2
  WHERE state = 'dead' AND id = ANY ($1::bigint[])
  RETURNING ${JOB_COLUMNS}`);

export async function requeueDeadJobs(db: Queryable, jobIds: string[], now: Date): Promise<Job[]> {
  const ids = jobIds.filter(isJobId);
  if (ids.length === 0) return [];
  const rows = await db.query<JobRow>(REQUEUE, [ids, now]);
  return rows.map(toJob).sort((a, b) => Number(a.id) - Number(b.id));
}

const LIST_GRIDS = sql(`SELECT grid_id, current_version, account_domain, complete, captured_at, updated_at
  FROM grids WHERE tenant = $1 AND ($2::timestamptz IS NULL OR updated_at >= $2)
  ORDER BY updated_at DESC, grid_id LIMIT $3`);

export async function listGrids(
  db: Queryable,
  tenant: string,
  options: { since?: Date; limit?: number },
): Promise<GridListEntry[]> {
  const rows = await db.query<{
    grid_id: string;
    current_version: number;
    account_domain: string | null;
    complete: boolean;
    captured_at: Date;
    updated_at: Date;
  }>(LIST_GRIDS, [tenant, options.since ?? null, options.limit ?? null]);
  return rows.map((row) => ({
    gridId: row.grid_id,
    version: row.current_version,
    accountDomain: row.account_domain,
    complete: row.complete,
    capturedAt: row.captured_at,
    updatedAt: row.updated_at,
  }));
}

function isJobId(id: string): boolean {
  return /^\d{1,18}$/.test(id);
}
