/**
 * What operators ask of the queue on SQLite (QueueInspection) and the grid listing. Each function runs
 * inside a transaction the caller opened (SqliteStore).
 */
import type { Job, JobKind } from '../job.ts';
import type { DeadJobFilter, GridListEntry, JobStat } from '../store.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { JOB_COLUMNS, type JobRow, toJob } from './sqlite-jobs.ts';

type Params = Record<string, string | number | null>;

/**
 * A dead job is a dead letter only while it is the latest job of its key: once a newer job for the same grid
 * (or account) exists, that one says where the work stands.
 */
const LATEST_OF_KEY =
  'NOT EXISTS (SELECT 1 FROM jobs n WHERE n.tenant = j.tenant AND n.key = j.key AND n.id > j.id)';

export function jobStats(db: SqliteDatabase, now: Date): JobStat[] {
  // One query per state, each on its partial index: succeeded rows, the bulk of the table, are never read.
  const rows: JobStat[] = [];
  for (const state of ['pending', 'running', 'dead'] as const) {
    for (const row of db.all<{
      tenant: string;
      kind: JobStat['kind'];
      count: number;
      with_error: number;
      oldest: number | null;
    }>(
      `SELECT tenant, kind, COUNT(*) AS count,
              SUM(CASE WHEN state = 'pending' AND last_error IS NOT NULL THEN 1 ELSE 0 END) AS with_error,
              MIN(CASE WHEN state = 'pending' AND run_at <= $now THEN run_at END) AS oldest
       FROM jobs j WHERE state = $state AND ($state <> 'dead' OR ${LATEST_OF_KEY})
       GROUP BY tenant, kind ORDER BY tenant, kind`,
      { $state: state, $now: now.getTime() },
    )) {
      rows.push({
        tenant: row.tenant,
        kind: row.kind,
        state,
        count: row.count,
        withError: row.with_error,
        oldestDueAt: row.oldest === null ? null : new Date(row.oldest),
      });
    }
  }
  return rows;
}

export function lastSucceededAt(db: SqliteDatabase, tenant: string, kind: JobKind): Date | null {
  // On jobs_succeeded (004): the newest entry of (tenant, kind), not the tenant's history.
  const row = db.get<{ at: number | null }>(
    `SELECT MAX(updated_at) AS at FROM jobs WHERE state = 'succeeded' AND tenant = $tenant AND kind = $kind`,
    { $tenant: tenant, $kind: kind },
  );
  return row?.at == null ? null : new Date(row.at);
}

export function listDeadJobs(db: SqliteDatabase, filter: DeadJobFilter): Job[] {
  const where = ["j.state = 'dead'", LATEST_OF_KEY];
  const params: Params = { $limit: filter.limit ?? -1 };
  if (filter.tenant !== undefined) {
    where.push('j.tenant = $tenant');
    params.$tenant = filter.tenant;
  }
  if (filter.kind !== undefined) {
    where.push('j.kind = $kind');
    params.$kind = filter.kind;
  }
  if (filter.ids !== undefined) {
    where.push('j.id IN (SELECT value FROM json_each($ids))');
    params.$ids = JSON.stringify(filter.ids.filter((id) => /^\d{1,15}$/.test(id)).map(Number));
  }
  if (filter.gridIds !== undefined) {
    where.push(
      "j.kind = 'grid.sync' AND json_extract(j.payload, '$.gridId') IN (SELECT value FROM json_each($gridIds))",
    );
    params.$gridIds = JSON.stringify(filter.gridIds);
  }
  if (filter.since !== undefined) {
    where.push('j.updated_at >= $since');
    params.$since = filter.since.getTime();
  }
  if (filter.until !== undefined) {
    where.push('j.updated_at < $until');
    params.$until = filter.until.getTime();
  }
  return db
    .all<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs j WHERE ${where.join(' AND ')} ORDER BY j.updated_at DESC, j.id DESC LIMIT $limit`,
      params,
    )
    .map(toJob);
}

export function requeueDeadJobs(db: SqliteDatabase, jobIds: string[], now: Date): Job[] {
  const ids = jobIds.filter((id) => /^\d{1,15}$/.test(id)).map(Number);
  if (ids.length === 0) return [];
  return db
    .all<JobRow>(
      `UPDATE jobs SET state = 'pending', attempts = 0, run_at = $now, lease_until = NULL, locked_by = NULL,
         updated_at = $now
       WHERE state = 'dead' AND id IN (SELECT value FROM json_each($ids))
       RETURNING ${JOB_COLUMNS}`,
      { $ids: JSON.stringify(ids), $now: now.getTime() },
    )
    .map(toJob)
    .sort((a, b) => Number(a.id) - Number(b.id));
}

export function listGrids(
  db: SqliteDatabase,
  tenant: string,
  options: { since?: Date; limit?: number },
): GridListEntry[] {
  return db
    .all<{
      grid_id: string;
      current_version: number;
      account_domain: string | null;
      complete: number;
      captured_at: number;
      updated_at: number;
    }>(
      `SELECT grid_id, current_version, account_domain, complete, captured_at, updated_at FROM grids
       WHERE tenant = $tenant AND updated_at >= $since ORDER BY updated_at DESC, grid_id LIMIT $limit`,
      { $tenant: tenant, $since: options.since?.getTime() ?? 0, $limit: options.limit ?? -1 },
    )
    .map((row) => ({
      gridId: row.grid_id,
      version: row.current_version,
      accountDomain: row.account_domain,
      complete: row.complete === 1,
      capturedAt: new Date(row.captured_at),
      updatedAt: new Date(row.updated_at),
    }));
}
