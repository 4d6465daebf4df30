/**
 * The job queue on PostgreSQL, for several replicas at once. Each function runs inside a transaction the caller
 * opened (PostgresStore). Claims lock candidate rows with FOR UPDATE SKIP LOCKED, so replicas never wait on
 * each other's candidates, and serialise per job key with transaction-scoped advisory locks (see claimJobs).
 */
import { fairShares } from '../fair-shares.ts';
import { jobsToStore } from '../job-lifecycle.ts';
import { HELD_STATE, type Job, type JobKind, type JobPayloads, type JobState, type NewJob } from '../job.ts';
import type { ClaimOptions, ReleaseUntil } from '../store.ts';
import { LOCK_SPACE, type Queryable, sql } from './postgres-database.ts';

export interface JobRow {
  id: string;
  kind: JobKind;
  tenant: string;
  key: string;
  payload: JobPayloads[JobKind];
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export const JOB_COLUMNS =
  'id, kind, tenant, key, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at';

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    tenant: row.tenant,
    payload: row.payload,
    key: row.key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Ids are generated bigints; anything else names no job (and must not reach a ::bigint cast). */
function jobRowId(jobId: string): string | null {
  return /^\d{1,18}$/.test(jobId) ? jobId : null;
}

// Advisory locks in hash order, one statement: every transaction locks keys in the same order, so two
// enqueues sharing keys wait for each other instead of deadlocking.
const LOCK_KEYS = sql(`SELECT pg_advisory_xact_lock($1, h) FROM
  (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY h) AS hashes`);

// A pending job with the key absorbs the new one (earlier run_at wins); `once` keys are unique in any state.
const ENQUEUE = sql(`WITH incoming AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::boolean[], $6::int[], $7::timestamptz[])
      AS u(kind, tenant, key, payload, once, max_attempts, run_at)
  ), bumped AS (
    UPDATE jobs j SET run_at = i.run_at, updated_at = $8
    FROM incoming i
    WHERE NOT i.once AND j.tenant = i.tenant AND j.key = i.key AND j.state = 'pending' AND j.run_at > i.run_at
  )
  INSERT INTO jobs (kind, tenant, key, payload, state, once, attempts, max_attempts, run_at, created_at, updated_at)
  SELECT i.kind, i.tenant, i.key, i.payload, 'pending', i.once, 0, i.max_attempts, i.run_at, $8, $8 FROM incoming i
  WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = i.tenant AND j.key = i.key AND (j.state = 'pending' OR i.once))
  ON CONFLICT DO NOTHING`);

export async function enqueueJobs(
  tx: Queryable,
  jobs: readonly NewJob[],
  now: Date = new Date(),
): Promise<void> {
  const toStore = jobsToStore(jobs, now);
  if (toStore.length === 0) return;
  await tx.query(LOCK_KEYS, [LOCK_SPACE.enqueueKey, toStore.map((s) => `${s.job.tenant}\n${s.job.key}`)]);
  // A new statement after taking the locks: its snapshot sees whatever the previous lock holder committed.
  await tx.query(ENQUEUE, [
    toStore.map((s) => s.job.kind),
    toStore.map((s) => s.job.tenant),
    toStore.map((s) => s.job.key),
    toStore.map((s) => JSON.stringify(s.job.payload)),
    toStore.map((s) => s.once),
    toStore.map((s) => s.maxAttempts),
    toStore.map((s) => s.runAt),
    now,
  ]);
}

const BURY_OUT_OF_ATTEMPTS =
  sql(`UPDATE jobs SET state = $2, lease_until = NULL, locked_by = NULL, updated_at = $1,
    last_error = format('lease expired on the last attempt (%s of %s): the worker stopped before finishing', attempts, max_attempts)
  WHERE id IN (SELECT id FROM jobs WHERE state = $3 AND lease_until <= $1 AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)`);

const KEY_FREE = `NOT EXISTS (SELECT 1 FROM jobs r WHERE r.tenant = j.tenant AND r.key = j.key AND r.id <> j.id
                  AND r.state = 'running' AND r.lease_until > $1)`;

const CLAIMABLE = `((j.state = 'pending' AND j.run_at <= $1) OR (j.state = 'running' AND j.lease_until <= $1))
  AND ${KEY_FREE}`;

/**
 * The tenants with due jobs and how many (each part counted up to $2): a skip scan of jobs_pending_by_tenant
 * (one index seek per tenant, whatever the backlog), plus tenants with a job whose lease ran out.
 */
export const DUE_BY_TENANT = sql(`WITH RECURSIVE t(tenant) AS (
    SELECT (SELECT MIN(tenant) FROM jobs WHERE state = 'pending')
    UNION ALL
    SELECT (SELECT MIN(tenant) FROM jobs WHERE state = 'pending' AND tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL
  ), tenants AS (
    SELECT tenant FROM t WHERE tenant IS NOT NULL
    UNION SELECT tenant FROM jobs WHERE state = 'running' AND lease_until <= $1
  )
  SELECT tenant, due::int FROM (
    SELECT tenant,
      (SELECT COUNT(*) FROM (SELECT 1 FROM jobs p
         WHERE p.state = 'pending' AND p.tenant = tenants.tenant AND p.run_at <= $1 LIMIT $2) x)
      + (SELECT COUNT(*) FROM (SELECT 1 FROM jobs r
         WHERE r.state = 'running' AND r.lease_until <= $1 AND r.tenant = tenants.tenant LIMIT $2) y) AS due
    FROM tenants WHERE tenant <> ALL($3::text[])
  ) counted WHERE due > 0 ORDER BY tenant`);

/**
 * Each tenant's share of candidates (jobs whose worker died first, then the oldest due), locked with SKIP
 * LOCKED so replicas never wait on each other's candidates; one per key; each key's advisory lock is tried.
 */
export const PICK_CANDIDATES = sql(`WITH shares AS (
    SELECT * FROM unnest($2::text[], $3::int[]) AS s(tenant, share)
  ), due AS (
    SELECT c.id, c.tenant, c.key, c.pass, c.at FROM shares s CROSS JOIN LATERAL (
      SELECT * FROM (
        SELECT j.id, j.tenant, j.key, 0 AS pass, j.lease_until AS at FROM jobs j
        WHERE j.state = 'running' AND j.lease_until <= $1 AND j.tenant = s.tenant AND ${KEY_FREE}
        ORDER BY j.lease_until LIMIT s.share FOR UPDATE SKIP LOCKED
      ) taken_over
      UNION ALL
      SELECT * FROM (
        SELECT j.id, j.tenant, j.key, 1 AS pass, j.run_at AS at FROM jobs j
        WHERE j.state = 'pending' AND j.tenant = s.tenant AND j.run_at <= $1 AND ${KEY_FREE}
        -- The tenant leads the order (it is fixed here), so the plan walks the tenant's own index range.
        ORDER BY j.tenant, j.run_at, j.id LIMIT s.share FOR UPDATE SKIP LOCKED
      ) pending
      ORDER BY pass, at, id LIMIT s.share
    ) c
  ), first_per_key AS (
    SELECT DISTINCT ON (tenant, key) id, tenant, key, pass, at FROM due ORDER BY tenant, key, pass, at, id
  )
  SELECT id FROM (SELECT * FROM first_per_key ORDER BY tenant, pass, at, id) AS ordered
  WHERE pg_try_advisory_xact_lock($4, hashtext(tenant || E'\\n' || key))`);

const TAKE =
  sql(`UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_until = $3, locked_by = $4, updated_at = $1
  WHERE j.id = ANY($2::bigint[]) AND ${CLAIMABLE}
  RETURNING ${JOB_COLUMNS.split(', ')
    .map((c) => `j.${c}`)
    .join(', ')}`);

/**
 * 1. jobs whose lease ran out on their last attempt are dead; 2. the tenants with due jobs and their shares
 * of the limit (fair-shares.ts); 3. each tenant's candidates are locked (SKIP LOCKED), one per key, and each
 * key's advisory lock is tried, so two claimers never take the same key; 4. a new statement, whose snapshot
 * sees every claim committed before we got the key lock, re-checks and takes them.
 */
export async function claimJobs(tx: Queryable, options: ClaimOptions): Promise<Job[]> {
  const now = options.now ?? new Date();
  await tx.query(BURY_OUT_OF_ATTEMPTS, [now, 'dead', HELD_STATE]);
  const due = await tx.query<{ tenant: string; due: number }>(DUE_BY_TENANT, [
    now,
    options.limit,
    [...(options.skipTenants ?? [])],
  ]);
  const shares = fairShares(
    due.map((d) => d.due),
    options.limit,
  );
  const picked = due.map((d, i) => ({ tenant: d.tenant, share: shares[i] ?? 0 })).filter((p) => p.share > 0);
  if (picked.length === 0) return [];
  const candidates = await tx.query<{ id: string }>(PICK_CANDIDATES, [
    now,
    picked.map((p) => p.tenant),
    picked.map((p) => p.share),
    LOCK_SPACE.claimKey,
  ]);
  if (candidates.length === 0) return [];
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  const rows = await tx.query<JobRow>(TAKE, [now, candidates.map((c) => c.id), leaseUntil, options.workerId]);
  return rows.map(toJob).sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || Number(a.id) - Number(b.id));
}

const RENEW = sql(`UPDATE jobs SET lease_until = $4, updated_at = $5
  WHERE id = $1::bigint AND locked_by = $2 AND state = $3 RETURNING id`);

export async function renewJobLease(
  tx: Queryable,
  jobId: string,
  workerId: string,
  leaseMs: number,
  now: Date = new Date(),
): Promise<boolean> {
  const rows = await tx.query(RENEW, [
    jobRowId(jobId),
    workerId,
    'running',
    new Date(now.getTime() + leaseMs),
    now,
  ]);
  return rows.length > 0;
}

const COMPLETE =
  sql(`UPDATE jobs SET state = 'succeeded', lease_until = NULL, locked_by = NULL, updated_at = $4
  WHERE id = $1::bigint AND locked_by = $2 AND state = $3`);

export async function completeJob(
  tx: Queryable,
  jobId: string,
  workerId: string,
  now: Date = new Date(),
): Promise<void> {
  await tx.query(COMPLETE, [jobRowId(jobId), workerId, HELD_STATE, now]);
}

const FAIL = sql(`UPDATE jobs SET
    state = CASE WHEN $4::timestamptz IS NOT NULL AND attempts < max_attempts THEN 'pending' ELSE 'dead' END,
    run_at = CASE WHEN $4::timestamptz IS NOT NULL AND attempts < max_attempts THEN $4::timestamptz ELSE run_at END,
    last_error = $5, lease_until = NULL, locked_by = NULL, updated_at = $6
  WHERE id = $1::bigint AND locked_by = $2 AND state = $3`);

/** Back to pending at retryAt while attempts remain; dead when retryAt is null or the attempts are used up. */
export async function failJob(
  tx: Queryable,
  jobId: string,
  workerId: string,
  error: string,
  retryAt: Date | null,
  now: Date = new Date(),
): Promise<void> {
  await tx.query(FAIL, [jobRowId(jobId), workerId, HELD_STATE, retryAt, error, now]);
}

const RELEASE = sql(`UPDATE jobs SET state = 'pending', attempts = GREATEST(attempts - 1, 0),
    run_at = COALESCE($5::timestamptz, LEAST(run_at, $4)), last_error = COALESCE($6::text, last_error),
    lease_until = NULL, locked_by = NULL, updated_at = $4
  WHERE id = $1::bigint AND locked_by = $2 AND state = $3`);

/** Pending again, this attempt not counted: at once (shutdown) or at until.runAt (the CRM is away). */
export async function releaseJob(
  tx: Queryable,
  jobId: string,
  workerId: string,
  until?: ReleaseUntil,
  now: Date = new Date(),
): Promise<void> {
  await tx.query(RELEASE, [
    jobRowId(jobId),
    workerId,
    HELD_STATE,
    now,
    until?.runAt ?? null,
    until?.reason ?? null,
  ]);
}

const NEXT_RUN_AT = sql("SELECT MIN(run_at) AS run_at FROM jobs WHERE state = 'pending'");

export async function nextPendingRunAt(db: Queryable): Promise<Date | undefined> {
  const [row] = await db.query<{ run_at: Date | null }>(NEXT_RUN_AT);
  return row?.run_at ?? undefined;
}

const JOBS_BY_KEY = sql(`SELECT ${JOB_COLUMNS} FROM jobs WHERE tenant = $1 AND key = $2 ORDER BY id`);

export async function jobsByKey(db: Queryable, tenant: string, key: string): Promise<Job[]> {
  return (await db.query<JobRow>(JOBS_BY_KEY, [tenant, key])).map(toJob);
}
