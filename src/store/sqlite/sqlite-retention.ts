/** Retention on SQLite: bounded deletes, each found through an index of what it prunes (migration 006). */
import type { SqliteDatabase } from './sqlite-database.ts';

/** Oldest accounts first; each loses its signals before `before`, until `limit` signals are gone. */
export function pruneSignals(db: SqliteDatabase, tenant: string, before: Date, limit: number): number {
  const cutoff = before.getTime();
  const accounts = db.all<{ account_domain: string }>(
    `SELECT account_domain FROM account_activity WHERE tenant = $tenant AND first_occurred_at < $cutoff
     ORDER BY first_occurred_at LIMIT $limit`,
    { $tenant: tenant, $cutoff: cutoff, $limit: limit },
  );
  let deleted = 0;
  for (const { account_domain: domain } of accounts) {
    if (deleted >= limit) break;
    const key = { $tenant: tenant, $domain: domain };
    deleted += db.run(
      `DELETE FROM signals WHERE rowid IN (SELECT rowid FROM signals
         WHERE tenant = $tenant AND account_domain = $domain AND occurred_at < $cutoff LIMIT $limit)`,
      { ...key, $cutoff: cutoff, $limit: limit - deleted },
    );
    db.run(
      `UPDATE account_activity SET first_occurred_at = (SELECT min(occurred_at) FROM signals
         WHERE tenant = $tenant AND account_domain = $domain)
       WHERE tenant = $tenant AND account_domain = $domain`,
      key,
    );
  }
  return deleted;
}

export function pruneFinishedJobs(db: SqliteDatabase, before: Date, limit: number): number {
  return db.run(
    `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
       WHERE state = 'succeeded' AND updated_at < $before ORDER BY updated_at LIMIT $limit)`,
    { $before: before.getTime(), $limit: limit },
  );
}

export function pruneDeliveries(db: SqliteDatabase, before: Date, limit: number): number {
  return db.run(
    `DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries
       WHERE received_at < $before ORDER BY received_at LIMIT $limit)`,
    { $before: before.getTime(), $limit: limit },
  );
}

export function pruneGridVersions(db: SqliteDatabase, before: Date, limit: number): number {
  return db.run(
    `DELETE FROM grid_versions WHERE rowid IN (SELECT rowid FROM grid_versions
       WHERE replaced_at IS NOT NULL AND replaced_at < $before ORDER BY replaced_at LIMIT $limit)`,
    { $before: before.getTime(), $limit: limit },
  );
}
