/**
 * The job queue on SQLite. Each function runs inside a transaction the caller opened (SqliteStore), which for
 * writes is BEGIN IMMEDIATE: claims are exclusive because only one writer at a time exists.
 */
import { fairShares } from '../fair-shares.ts';
import { jobsToStore } from '../job-lifecycle.ts';
import { HELD_STATE, type Job, type JobKind, type JobPayloads, type JobState, type NewJob } from '../job.ts';
import type { ClaimOptions, ReleaseUntil } from '../store.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

export interface JobRow {
  id: number;
  kind: JobKind;
  tenant: string;
  key: string;
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export const JOB_COLUMNS =
  'id, kind, tenant, key, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at';

export function toJob(row: JobRow): Job {
  return {
    id: String(row.id),
    kind: row.kind,
    tenant: row.tenant,
    payload: JSON.parse(row.payload) as JobPayloads[JobKind],
    key: row.key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * Selects the row a worker holds: ids are generated integers (anything else names no job), the worker must be
 * the one that claimed it, and the job still running (HELD_STATE).
 */
function heldBy(jobId: string, workerId: string) {
  return { $id: jobRowId(jobId), $worker: workerId, $held: HELD_STATE };
}

function jobRowId(jobId: string): number | null {
  return /^\d{1,15}$/.test(jobId) ? Number(jobId) : null;
}

export function enqueueJobs(db: SqliteDatabase, jobs: readonly NewJob[], now: Date = new Date()): void {
  for (const { job, once, runAt, maxAttempts } of jobsToStore(jobs, now)) {
    const params = { $tenant: job.tenant, $key: job.key, $runAt: runAt.getTime(), $now: now.getTime() };
    if (!once) {
      // A pending job with this key absorbs the new one; it runs at the earlier of the two times.
      db.run(
        `UPDATE jobs SET run_at = $runAt, updated_at = $now
         WHERE tenant = $tenant AND key = $key AND state = 'pending' AND run_at > $runAt`,
        params,
      );
    }
    db.run(
      `INSERT INTO jobs (kind, tenant, key, payload, state, once, attempts, max_attempts, run_at, created_at, updated_at)
       SELECT $kind, $tenant, $key, $payload, 'pending', $once, 0, $maxAttempts, $runAt, $now, $now
       WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE tenant = $tenant AND key = $key AND (state = 'pending' OR $once = 1))`,
      {
        ...params,
        $kind: job.kind,
        $payload: JSON.stringify(job.payload),
        $once: once ? 1 : 0,
        $maxAttempts: maxAttempts,
      },
    );
  }
}

/** No other job of the key runs under a live lease: one grid is never worked on twice at once. */
const KEY_FREE = `NOT EXISTS (SELECT 1 FROM jobs r WHERE r.tenant = j.tenant AND r.key = j.key AND r.id <> j.id
                  AND r.state = 'running' AND r.lease_until > $now)`;

/**
 * The tenants with pending jobs, by a skip scan of jobs_pending_by_tenant (one index seek per tenant, whatever
 * the backlog), and those with a job whose lease ran out.
 */
export const CLAIM_TENANTS_SQL = `WITH RECURSIVE t(tenant) AS (
    SELECT (SELECT MIN(tenant) FROM jobs WHERE state = 'pending')
    UNION ALL
    SELECT (SELECT MIN(tenant) FROM jobs WHERE state = 'pending' AND tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL
  )
  SELECT tenant FROM t WHERE tenant IS NOT NULL
  UNION SELECT tenant FROM jobs INDEXED BY jobs_running WHERE state = 'running' AND lease_until <= $now`;

/**
 * How many of a tenant's jobs are due (pending, or running under a lease that ran out), each counted up to
 * $limit: an index range that stops there.
 */
export const COUNT_DUE_SQL = `SELECT
    (SELECT COUNT(*) FROM (SELECT 1 FROM jobs
       WHERE state = 'pending' AND tenant = $tenant AND run_at <= $now LIMIT $limit))
  + (SELECT COUNT(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_running
       WHERE state = 'running' AND lease_until <= $now AND tenant = $tenant LIMIT $limit)) AS due`;

/** A tenant's candidates: jobs whose worker died first, then its oldest due pending jobs. */
export const TENANT_CANDIDATES_SQL = `SELECT id, key FROM (
    SELECT j.id, j.key, 0 AS pass, j.lease_until AS at FROM jobs j INDEXED BY jobs_running
    WHERE j.state = 'running' AND j.lease_until <= $now AND j.tenant = $tenant AND ${KEY_FREE}
    UNION ALL
    SELECT * FROM (SELECT j.id, j.key, 1 AS pass, j.run_at AS at FROM jobs j
      WHERE j.state = 'pending' AND j.tenant = $tenant AND j.run_at <= $now AND ${KEY_FREE}
      ORDER BY j.run_at, j.id LIMIT $limit)
  ) ORDER BY pass, at, id LIMIT $limit`;

export function claimJobs(db: SqliteDatabase, options: ClaimOptions): Job[] {
  const now = (options.now ?? new Date()).getTime();
  buryJobsOutOfAttempts(db, now);
  const skip = new Set(options.skipTenants ?? []);
  const tenants = db
    .all<{ tenant: string }>(CLAIM_TENANTS_SQL, { $now: now })
    .map((row) => row.tenant)
    .filter((tenant) => !skip.has(tenant));
  const due = tenants.map(
    (tenant) =>
      db.get<{ due: number }>(COUNT_DUE_SQL, { $tenant: tenant, $now: now, $limit: options.limit })!.due,
  );
  const shares = fairShares(due, options.limit);
  const claimed: Job[] = [];
  tenants.forEach((tenant, i) => {
    const share = shares[i] ?? 0;
    if (share === 0) return;
    const keys = new Set<string>();
    const candidates = db.all<{ id: number; key: string }>(TENANT_CANDIDATES_SQL, {
      $tenant: tenant,
      $now: now,
      $limit: share,
    });
    for (const candidate of candidates) {
      // Of several due jobs with one key (a takeover and a newer pending one), only the first is taken.
      if (keys.has(candidate.key)) continue;
      keys.add(candidate.key);
      const row = db.get<JobRow>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $leaseUntil, locked_by = $worker,
           updated_at = $now
         WHERE id = $id RETURNING ${JOB_COLUMNS}`,
        { $leaseUntil: now + options.leaseMs, $worker: options.workerId, $now: now, $id: candidate.id },
      );
      if (row) claimed.push(toJob(row));
    }
  });
  return claimed;
}

/** A job whose worker died on its last attempt is not retried by a lease takeover: it is dead. */
function buryJobsOutOfAttempts(db: SqliteDatabase, now: number): void {
  db.run(
    `UPDATE jobs SET state = $dead, lease_until = NULL, locked_by = NULL, updated_at = $now,
       last_error = 'lease expired on the last attempt (' || attempts || ' of ' || max_attempts
                    || '): the worker stopped before finishing'
     WHERE state = $held AND lease_until <= $now AND attempts >= max_attempts`,
    { $dead: 'dead', $held: HELD_STATE, $now: now },
  );
}

export function renewJobLease(
  db: SqliteDatabase,
  jobId: string,
  workerId: string,
  leaseMs: number,
  now: Date = new Date(),
): boolean {
  const changed = db.run(
    `UPDATE jobs SET lease_until = $leaseUntil, updated_at = $now
     WHERE id = $id AND locked_by = $worker AND state = 'running'`,
    { $id: jobRowId(jobId), $worker: workerId, $leaseUntil: now.getTime() + leaseMs, $now: now.getTime() },
  );
  return changed > 0;
}

export function completeJob(
  db: SqliteDatabase,
  jobId: string,
  workerId: string,
  now: Date = new Date(),
): void {
  db.run(
    `UPDATE jobs SET state = 'succeeded', lease_until = NULL, locked_by = NULL, updated_at = $now
     WHERE id = $id AND locked_by = $worker AND state = $held`,
    { ...heldBy(jobId, workerId), $now: now.getTime() },
  );
}

/** Back to pending at retryAt while attempts remain; dead when retryAt is null or the attempts are used up. */
export function failJob(
  db: SqliteDatabase,
  jobId: string,
  workerId: string,
  error: string,
  retryAt: Date | null,
  now: Date = new Date(),
): void {
  db.run(
    `UPDATE jobs SET
       state = CASE WHEN $retryAt IS NOT NULL AND attempts < max_attempts THEN 'pending' ELSE 'dead' END,
       run_at = CASE WHEN $retryAt IS NOT NULL AND attempts < max_attempts THEN $retryAt ELSE run_at END,
       last_error = $error, lease_until = NULL, locked_by = NULL, updated_at = $now
     WHERE id = $id AND locked_by = $worker AND state = $held`,
    {
      ...heldBy(jobId, workerId),
      $retryAt: retryAt?.getTime() ?? null,
      $error: error,
      $now: now.getTime(),
    },
  );
}

/** Shutdown: pending again at once, this attempt not counted. */
export function releaseJob(
  db: SqliteDatabase,
  jobId: string,
  workerId: string,
  until?: ReleaseUntil,
  now: Date = new Date(),
): void {
  db.run(
    `UPDATE jobs SET state = 'pending', attempts = MAX(attempts - 1, 0),
       run_at = CASE WHEN $runAt IS NULL THEN MIN(run_at, $now) ELSE $runAt END,
       last_error = COALESCE($reason, last_error), lease_until = NULL, locked_by = NULL, updated_at = $now
     WHERE id = $id AND locked_by = $worker AND state = $held`,
    {
      ...heldBy(jobId, workerId),
      $now: now.getTime(),
      $runAt: until?.runAt.getTime() ?? null,
      $reason: until?.reason ?? null,
    },
  );
}

export function nextPendingRunAt(db: SqliteDatabase): Date | undefined {
  const row = db.get<{ run_at: number | null }>(
    "SELECT MIN(run_at) AS run_at FROM jobs WHERE state = 'pending'",
  );
  return row?.run_at == null ? undefined : new Date(row.run_at);
}

export function jobsByKey(db: SqliteDatabase, tenant: string, key: string): Job[] {
  return db
    .all<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE tenant = $tenant AND key = $key ORDER BY id`, {
      $tenant: tenant,
      $key: key,
    })
    .map(toJob);
}
