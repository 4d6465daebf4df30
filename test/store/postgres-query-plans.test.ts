/**
 * The fair claim on PostgreSQL uses its indexes (EXPLAIN on 60,000 jobs, 3,000 of them pending, a backlog ordered by tenant, analysed):
 * the tenants come from a skip scan of jobs_pending_by_tenant, each tenant's due jobs from its range of that
 * index, so a claim costs what it takes, not the backlog. test/store/sqlite-query-plans.test.ts checks SQLite.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LOCK_SPACE } from '../../src/store/postgres/postgres-database.ts';
import { DUE_BY_TENANT, PICK_CANDIDATES } from '../../src/store/postgres/postgres-jobs.ts';
import { tempPostgresStore, type TempStore, testDatabaseUrl } from '../support/temp-store.ts';

describe.skipIf(testDatabaseUrl() === undefined)('fair claim plans on PostgreSQL', () => {
  let temp: TempStore;
  let client: pg.Client;

  beforeAll(async () => {
    temp = await tempPostgresStore('claim_plans');
    client = new pg.Client({ connectionString: temp.url });
    await client.connect();
    await client.query(`SET search_path TO ${client.escapeIdentifier(temp.schema!)}`);
    await client.query(`INSERT INTO jobs (kind, tenant, key, payload, state, once, attempts, max_attempts, run_at,
        created_at, updated_at)
      SELECT 'grid.sync', 'tenant-' || (i * 3 / 60001), 'grid.sync:' || i, '{}', CASE WHEN i % 20 = 0 THEN 'pending' ELSE 'succeeded' END,
        false, 0, 5, now() - make_interval(secs => 60000 - i), now(), now()
      FROM generate_series(1, 60000) AS i`);
    await client.query('ANALYZE jobs');
  });

  afterAll(async () => {
    await client?.end();
    await temp?.cleanup();
  });

  async function explain(sql: { text: string }, params: unknown[]): Promise<string> {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, params);
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    if (process.env['PLAN_DEBUG']) console.log(text);
    return text;
  }

  it('lists the tenants with due work by a skip scan and counts each from its index range', async () => {
    const plan = await explain(DUE_BY_TENANT, [new Date(), 500, []]);
    expect(plan).toMatch(/Index Only Scan using jobs_pending_by_tenant/);
    expect(plan).not.toMatch(/Seq Scan on jobs/);
  });

  it('takes each tenant’s oldest due jobs from its range of the index', async () => {
    const plan = await explain(PICK_CANDIDATES, [
      new Date(),
      ['tenant-0', 'tenant-1', 'tenant-2'],
      [167, 167, 166],
      LOCK_SPACE.claimKey,
    ]);
    expect(plan).toMatch(/Index Scan using jobs_pending_by_tenant on jobs j/);
    expect(plan).not.toMatch(/Seq Scan on jobs/);
  });
});
