/**
 * bench/sync-worker: the whole sync path, not just the adapter. gridsync is composed exactly as `gridsync serve`
 * composes it (composeGridsync: mapping registry, production CRM connector, worker), with a temp SQLite store and
 * the tenant's HubSpot base URL pointed at the local stand-in. N grids are accepted into the store (as intake
 * would), then gridsync's own worker (job runner → identity resolution → planning → change detection → HubSpot
 * adapter) drains them into the stand-in, which enforces 100 requests per 10 s and
 * 5 searches per second. The stand-in runs in a worker thread so it stamps requests as a remote server would.
 *
 *   node bench/sync-worker.ts              10,000 grids over 2,000 accounts (about a minute)
 *   BENCH_GRIDS=5000 node bench/sync-worker.ts
 *
 * Prints records/s, the calls the path made per record, the share of the request limit it used while busy,
 * 429s and failures. The ceiling for records/s is the request limit divided by the calls per record.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { loadConfig } from '../src/config/env.ts';
import { assessCompleteness } from '../src/domain/grid-completeness.ts';
import { salesGridSchema } from '../src/domain/sales-grid.ts';
import { createLogger } from '../src/lib/logger.ts';
import { loadMappingFile } from '../src/mapping/load-mapping-file.ts';
import { composeGridsync } from '../src/main.ts';
import grid from '../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { HubSpotFake } from '../test/fakes/hubspot-fake-server.ts';

const LIMIT = 100;
const WINDOW_MS = 10_000;
type Arrival = { route: string; status: number; at: number };

if (!isMainThread) await serveFake(workerData as number);
else await runBench();

async function serveFake(accounts: number): Promise<void> {
  const fake = await HubSpotFake.start({
    requestsPerWindow: LIMIT,
    windowMs: WINDOW_MS,
    searchPerSecond: 5,
    uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
    recordBodies: false,
  });
  const deals: string[] = [];
  for (let i = 0; i < accounts; i++) {
    fake.addRecord('companies', {
      domain: `account${i}.example`,
      name: `Account ${i}`,
      hubspot_owner_id: '501',
    });
    fake.addRecord('contacts', { email: `dev@account${i}.example` });
    deals.push(fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '501' }));
  }
  parentPort!.postMessage({ url: fake.url, deals });
  parentPort!.once('message', () => {
    const arrivals: Arrival[] = fake.requests.map(({ route, status, at }) => ({ route, status, at }));
    const records = fake.store.records('p_sales_grid').length;
    void fake.close().then(() => parentPort!.postMessage({ arrivals, records }));
  });
}

async function runBench(): Promise<void> {
  const grids = Number(process.env['BENCH_GRIDS'] ?? 10_000);
  const accounts = Math.max(1, Math.floor(grids / 5));
  const fakeThread = new Worker(new URL(import.meta.url), { workerData: accounts });
  const { url, deals } = await next<{ url: string; deals: string[] }>(fakeThread);
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-bench-'));
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' });

  // acme's mapping as shipped, on the Starter plan (100 requests / 10 s, what the stand-in enforces) and
  // pointed at the stand-in; the production connector builds its client from it.
  const mappingsDir = join(dir, 'mappings');
  mkdirSync(mappingsDir);
  const acme = readFileSync('mappings/acme.yaml', 'utf8')
    .replace(/^ {2}plan: enterprise$/m, '  plan: starter')
    .replace(/^ {2}# baseUrl: .*$/m, `  baseUrl: ${url}`);
  writeFileSync(join(mappingsDir, 'acme.yaml'), acme);
  const config = loadConfig(
    { GRIDSYNC_DATABASE_URL: join(dir, 'bench.db'), GRIDSYNC_MAPPINGS_DIR: mappingsDir, PORT: '0' },
    join(dir, 'no.env'),
  );
  const gridsync = await composeGridsync({ config, logger, secrets: () => 'test-token' });
  const { store, runner } = gridsync;
  const mapping = loadMappingFile(join(mappingsDir, 'acme.yaml'));
  if (!mapping.ok) throw new Error('the bench copy of mappings/acme.yaml does not load');

  for (let i = 0; i < grids; i++) {
    const g = salesGridSchema.parse({
      ...grid,
      gridId: `grid-bench-${i}`,
      account: { domain: `account${i % accounts}.example`, name: `Account ${i % accounts}` },
      contact: { email: `dev@account${i % accounts}.example` },
      deal: { crmId: deals[i % accounts] },
    });
    await store.acceptGrid({
      tenant: 'acme',
      webhookId: `bench-${i}`,
      grid: g,
      completeness: assessCompleteness(g, mapping.value.mapping.completeness),
      receivedAt: new Date(),
      answer: () => ({ status: 202, body: {} }),
    });
  }

  process.stdout.write(
    `bench/sync-worker: ${grids} grids over ${accounts} accounts, limit ${LIMIT} requests / ${WINDOW_MS / 1000} s\n`,
  );
  const started = Date.now();
  runner.start();
  await runner.drain();
  const finished = Date.now();
  await gridsync.close();
  fakeThread.postMessage('report');
  const { arrivals, records } = await next<{ arrivals: Arrival[]; records: number }>(fakeThread);
  await fakeThread.terminate();
  rmSync(dir, { recursive: true, force: true });

  const seconds = (finished - started) / 1000;
  const calls = arrivals.length;
  const writes = arrivals.filter((a) =>
    /batch\/(upsert|update|create)|associations|objects\/tasks$/.test(a.route),
  ).length;
  const limited = arrivals.filter((a) => a.status === 429).length;
  const callsPerRecord = calls / grids;
  const ceiling = LIMIT / (WINDOW_MS / 1000) / callsPerRecord;
  // The first window's full budget is free; the steady rate is what the limit allows after it.
  const steadyCalls = Math.max(0, calls - LIMIT);
  const steadySeconds = Math.max(0.001, seconds - WINDOW_MS / 1000);
  const fmt = (n: number, d = 1) => n.toFixed(d);
  process.stdout.write(
    [
      `  records written       ${records} of ${grids} (failed: ${grids - records})`,
      `  elapsed               ${fmt(seconds)} s`,
      `  records/s             ${fmt(grids / seconds)}`,
      `  calls per record      ${fmt(callsPerRecord, 3)} (${calls} calls, ${writes} writes: ${fmt(writes / grids, 3)} writes per record)`,
      `  ceiling at that rate  ${fmt(ceiling)} records/s (${LIMIT} calls / ${WINDOW_MS / 1000} s ÷ calls per record)`,
      `  limit used (steady)   ${fmt((steadyCalls / steadySeconds / (LIMIT / (WINDOW_MS / 1000))) * 100)} % of ${LIMIT} per ${WINDOW_MS / 1000} s after the first window`,
      `  answered 429          ${limited} of ${calls} calls (${fmt((limited / Math.max(1, calls)) * 100, 2)} %)`,
    ].join('\n') + '\n',
  );
  process.exitCode = records === grids ? 0 : 1;
}

function next<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
