/**
 * The hot queries of the SQLite store use their indexes (EXPLAIN QUERY PLAN), so their cost follows what they
 * return, not the rows stored. Checked without ANALYZE statistics, as a production file has them. bench/scheduled-pass.ts shows the same plans, and the timings, at 1M grids.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  CLAIM_TENANTS_SQL,
  COUNT_DUE_SQL,
  TENANT_CANDIDATES_SQL,
} from '../../src/store/sqlite/sqlite-jobs.ts';
import { tempSqliteStore, type TempStore } from '../support/temp-store.ts';

let temp: TempStore;
beforeEach(async () => {
  temp = await tempSqliteStore();
});
afterEach(() => temp.cleanup());

function plan(sql: string, ...params: (string | number)[] | [Record<string, string | number>]): string {
  const db = new DatabaseSync(temp.url);
  try {
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const [named] = params;
    const steps =
      typeof named === 'object' ? statement.all(named) : statement.all(...(params as (string | number)[]));
    return (steps as { detail: string }[]).map((step) => step.detail).join(' | ');
  } finally {
    db.close();
  }
}

it.each([
  [
    'an account’s grids, in grid_id order, from the covering index (not a walk of the primary key)',
    'SELECT grid_id FROM grids WHERE tenant = ? AND account_domain = ? ORDER BY grid_id',
    ['acme', 'ledgerline.example'],
    /SEARCH grids USING COVERING INDEX grids_by_account \(tenant=\? AND account_domain=\?\)$/,
  ],
  [
    'accounts due by time',
    'SELECT account_domain FROM account_state WHERE tenant = ? AND due_at <= ?',
    ['acme', 0],
    /SEARCH account_state USING INDEX account_state_due/,
  ],
  [
    'accounts evaluated under another mapping',
    'SELECT account_domain FROM account_state WHERE tenant = ? AND basis < ?',
    ['acme', 'x'],
    /SEARCH account_state USING INDEX account_state_basis/,
  ],
  [
    'grids awaiting their task, from the index of those only',
    `SELECT g.grid_id FROM grids g INDEXED BY grids_awaiting_task JOIN account_state a ON a.tenant = g.tenant AND a.account_domain = g.account_domain
     WHERE g.tenant = ? AND g.complete = 1 AND g.task_created = 0 AND a.qualified = 1`,
    ['acme'],
    /^SEARCH g USING INDEX grids_awaiting_task/,
  ],
])('plans %s', (_what, sql, params, expected) => {
  expect(plan(sql, ...params)).toMatch(expected);
});

// A claim costs what it takes: the tenants by a skip scan (one seek each), each tenant's due jobs from the range
// of its index entries, never a scan of the backlog in run_at order.
it.each([
  [
    'the tenants with pending jobs, one index seek per tenant',
    CLAIM_TENANTS_SQL,
    { $now: 0 },
    /SEARCH jobs USING COVERING INDEX jobs_pending_by_tenant \(tenant>\?\).*SEARCH jobs USING INDEX jobs_running \(lease_until<\?\)/,
  ],
  [
    'a tenant’s due count, from its index range',
    COUNT_DUE_SQL,
    { $tenant: 'acme', $now: 0, $limit: 500 },
    /SEARCH jobs USING COVERING INDEX jobs_pending_by_tenant \(tenant=\? AND run_at<\?\)/,
  ],
  [
    'a tenant’s oldest due jobs, in index order',
    TENANT_CANDIDATES_SQL,
    { $tenant: 'acme', $now: 0, $limit: 500 },
    /SEARCH j USING INDEX jobs_pending_by_tenant \(tenant=\? AND run_at<\?\)/,
  ],
])('plans the fair claim: %s', (_what, sql, params, expected) => {
  const detail = plan(sql, params);
  expect(detail).toMatch(expected);
  expect(detail).not.toMatch(/SCAN jobs|SCAN j |USE TEMP B-TREE FOR ORDER BY.*jobs_pending_by_tenant/);
});
