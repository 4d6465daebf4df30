/**
 * `node bench/scheduled-pass.ts`: the scheduled pass (planTenantSync) on a SQLite store holding 10k, then 1M
 * grids (one account per five grids, every complete grid with its task, every account's next change days
 * away), with nothing due, then with 1,000 accounts due and 1,000 grids awaiting their task. Rows are
 * written straight into the file (the bench measures the pass, not intake), then the pass runs through the
 * store as the worker calls it. EXPLAIN QUERY PLAN of the pass's queries and of listGridIdsForAccount is printed
 * at 1M, so an index that stopped being used shows.
 *
 *   node bench/scheduled-pass.ts                 10,000 and 1,000,000 grids
 *   BENCH_SIZES=10000,100000 node bench/scheduled-pass.ts
 *
 * Goal (issue 13 item 3): under 1 s with nothing due at 1M grids, flat from 10k; proportional to what is due.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { loadMappingFile } from '../src/mapping/load-mapping-file.ts';
import { openStore } from '../src/store/open-store.ts';
import type { TenantContext } from '../src/sync/tenant-context.ts';
import { planTenantSync } from '../src/sync/tenant-sync.ts';

const SIZES = (process.env['BENCH_SIZES'] ?? '10000,1000000').split(',').map(Number);
const DUE = 1_000;
const TENANT = 'acme';
const NOW = new Date('2026-11-20T12:00:00Z');

const loaded = loadMappingFile('mappings/acme.yaml');
if (!loaded.ok) throw new Error('mappings/acme.yaml does not load');
// planTenantSync reads the tenant, its mapping's maxAttempts and content hash, and the CRM mode: the deal watch
// (deal-watch.ts) asks a live CRM about at most DEAL_WATCH_BATCH grids per pass, so its cost is bounded however
// many grids are stored; the pass runs here as for a dry-run tenant (no CRM calls, only the store's queries).
const context = {
  tenant: TENANT,
  loaded: loaded.value,
  crm: { mode: 'dry_run', reason: 'bench: the store side of the pass' },
} as unknown as TenantContext;

console.log(`bench/scheduled-pass: planTenantSync on SQLite, Node ${process.version}`);
const rows: string[] = [];
for (const grids of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-pass-'));
  const path = join(dir, 'pass.db');
  try {
    const store = await openStore(path);
    const started = performance.now();
    seed(path, grids);
    const seedSeconds = (performance.now() - started) / 1000;

    const idle = await timed(() => planTenantSync(store, context, NOW));
    markDue(path, DUE);
    const busy = await timed(() => planTenantSync(store, context, NOW));
    rows.push(
      `  ${grids.toLocaleString('en').padStart(9)} grids  nothing due: ${idle.ms.toFixed(1).padStart(7)} ms ` +
        `(${idle.jobs} jobs)   ${DUE} accounts + ${DUE} grids due: ${busy.ms.toFixed(1).padStart(7)} ms ` +
        `(${busy.jobs} jobs)   [seeded in ${seedSeconds.toFixed(1)} s]`,
    );
    console.log(rows.at(-1));
    if (grids === Math.max(...SIZES)) explain(path);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const [first, last] = [rows[0], rows.at(-1)];
if (first && last && SIZES.length > 1) {
  console.log('  (goal: < 1,000 ms with nothing due at 1M, flat in grids stored)');
}

async function timed(run: () => Promise<unknown[]>): Promise<{ ms: number; jobs: number }> {
  const best = { ms: Infinity, jobs: 0 };
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const jobs = await run();
    best.ms = Math.min(best.ms, performance.now() - started);
    best.jobs = jobs.length;
  }
  return best;
}

/** grids rows (complete, task created) and one account_state per five grids, next change a week away. */
function seed(path: string, grids: number): void {
  const db = new DatabaseSync(path);
  const week = NOW.getTime() + 7 * 86_400_000;
  const basis = loaded.ok ? loaded.value.contentHash : '';
  db.exec('PRAGMA synchronous = OFF');
  db.exec('BEGIN');
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO grids (tenant, grid_id, current_version, latest_version, content_hash, captured_at, account_domain,
                        complete, updated_at, task_created)
     SELECT ?, 'grid-' || i, 1, 1, 'h', 0, 'account-' || (i / 5) || '.example', 1, 0, 1 FROM n`,
  ).run(grids, TENANT);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO account_state (tenant, account_domain, doc, updated_at, qualified, due_at, basis)
     SELECT ?, 'account-' || i || '.example', '{}', 0, 1, ?, ? FROM n`,
  ).run(Math.ceil(grids / 5), TENANT, week, basis);
  db.exec('COMMIT');
  db.close();
}

/** `count` accounts due now, and one grid of each awaiting its task. */
function markDue(path: string, count: number): void {
  const db = new DatabaseSync(path);
  db.prepare(
    `UPDATE account_state SET due_at = ? WHERE tenant = ? AND account_domain IN
       (SELECT account_domain FROM account_state WHERE tenant = ? ORDER BY account_domain LIMIT ?)`,
  ).run(NOW.getTime() - 1, TENANT, TENANT, count);
  db.prepare(
    `UPDATE grids SET task_created = 0 WHERE tenant = ? AND grid_id IN
       (SELECT 'grid-' || (5 * value) FROM json_each(?))`,
  ).run(TENANT, JSON.stringify(Array.from({ length: count }, (_u, i) => i)));
  db.close();
}

function explain(path: string): void {
  const db = new DatabaseSync(path);
  const plans: [string, string, unknown[]][] = [
    [
      'listAccountsDue (due by time)',
      'SELECT account_domain FROM account_state WHERE tenant = ? AND due_at <= ?',
      [TENANT, NOW.getTime()],
    ],
    [
      'listAccountsDue (another basis)',
      'SELECT account_domain FROM account_state WHERE tenant = ? AND basis < ?',
      [TENANT, 'b'],
    ],
    [
      'listGridIdsAwaitingTask',
      `SELECT g.grid_id FROM grids g INDEXED BY grids_awaiting_task JOIN account_state a ON a.tenant = g.tenant AND a.account_domain = g.account_domain
       WHERE g.tenant = ? AND g.complete = 1 AND g.task_created = 0 AND a.qualified = 1
         AND NOT EXISTS (SELECT 1 FROM jobs d
           WHERE d.tenant = g.tenant AND d.key = 'grid.sync:' || g.tenant || ':' || g.grid_id AND d.state = 'dead'
             AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.tenant = d.tenant AND n.key = d.key AND n.id > d.id))`,
      [TENANT],
    ],
    [
      'listGridIdsForAccount',
      'SELECT grid_id FROM grids WHERE tenant = ? AND account_domain = ? ORDER BY grid_id',
      [TENANT, 'account-7.example'],
    ],
  ];
  console.log('  EXPLAIN QUERY PLAN at the largest size:');
  for (const [name, sql, params] of plans) {
    const steps = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as string[])) as {
      detail: string;
    }[];
    console.log(`    ${name}: ${steps.map((s) => s.detail).join(' | ')}`);
  }
  db.close();
}
