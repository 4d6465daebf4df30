/**
 * `node bench/intake.ts`: how close the signed intake comes to its HTTP stack, measured on what production runs.
 *
 * - **gridsync serve** as an operator starts it: a child process, SQLite file, `LOG_LEVEL=info` (its log to a file),
 *   the worker running: tenant acme is live against a HubSpot stand-in (its own thread) at HubSpot's real pace
 *   (190 requests per 10 s), so the worker syncs while the intake is measured, as it would in production.
 * - **bare Fastify**: one route answering 202, in its own process: the HTTP stack's limit on this machine.
 * - Repetitions interleave (bare, serve, bare, serve, …) so both see the same machine; figures are medians.
 * - Every signed request is new (its own webhook-id, signature and gridId or signal ids), built before the
 *   timed run so the load generator's HMAC work does not share the timed seconds: nothing is answered from replay.
 * - Then p50/p99 at a fixed 1,000 req/s (what a sender sees below saturation), signal batches of 1,000, and
 *   "where the time goes": the intake app in-process on a file store, an in-memory store and a store that only
 *   answers (warn logging, no worker), to split HTTP + verification + validation from the store's share.
 *
 * Options (env): BENCH_SECONDS (default 5), BENCH_REPS (3), BENCH_CONNECTIONS (10), BENCH_PROFILE=folder (a CPU
 * profile of the gridsync serve process, written when it stops), BENCH_ONLY=grids|signals (only the signed grid
 * runs, with the bare route, the fixed rate and the breakdown; or only the signal batches), BENCH_STORE=postgres
 * (gridsync serve on a scratch database beside GRIDSYNC_TEST_DATABASE_URL instead of its SQLite file; the
 * breakdown stays on SQLite).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';
import Fastify from 'fastify';
import { parseDocument } from 'yaml';

import { buildIntakeApp } from '../src/intake/build-intake-app.ts';
import { signedWebhookHeaders } from '../src/intake/sign-webhook.ts';
import { createLogger } from '../src/lib/logger.ts';
import { loadMappingFile } from '../src/mapping/load-mapping-file.ts';
import { openStore } from '../src/store/open-store.ts';
import type { IntakeStorePort } from '../src/store/store.ts';
import { scratchDatabase } from './support/bench-tenants.ts';
import { benchDomain, startHubSpotThread } from './support/hubspot-thread.ts';
import { median, startServe } from './support/serve-process.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const FIXED_RATE = 1_000;
const ONLY = process.env['BENCH_ONLY'];
if (ONLY !== undefined && ONLY !== 'grids' && ONLY !== 'signals') {
  throw new Error('BENCH_ONLY is grids or signals');
}
const GRIDS = ONLY !== 'signals';
const SIGNALS = ONLY !== 'grids';
const WARMUP_SECONDS = 2;
const TENANT = 'acme';
const SECRET = `whsec_${Buffer.from('gridsync-bench-secret-24b').toString('base64')}`;
const ACCOUNTS = 200;
/** Requests prepared per timed run: more than the fastest server answers in BENCH_SECONDS + warm-up. */
const GRID_POOL = 8_000 * (SECONDS + WARMUP_SECONDS);
const SIGNAL_POOL = 60 * (SECONDS + WARMUP_SECONDS);

// ---------- child processes: the bare route, and the in-process breakdown ----------

/** Commits nothing: what is left of a request's cost is the intake's own. */
const answerOnlyStore: IntakeStorePort = {
  acceptGrid: (cmd) => {
    const result = { gridId: cmd.grid.gridId, version: 1, outcome: 'new_version' as const };
    return Promise.resolve({ replay: false, result, answer: cmd.answer(result) });
  },
  acceptSignals: (cmd) => {
    const result = { accepted: cmd.signals.length, duplicates: 0, accounts: [] };
    return Promise.resolve({ replay: false, result, answer: cmd.answer(result) });
  },
  getGrid: () => Promise.resolve(undefined),
  getGridSyncState: () => Promise.resolve(undefined),
  getAccountState: () => Promise.resolve(undefined),
  getTaskEntry: () => Promise.resolve(undefined),
  getJobs: () => Promise.resolve([]),
  ping: () => Promise.resolve(),
};

const BREAKDOWN = ['durable', 'inMemory', 'answerOnly'] as const;
type Breakdown = (typeof BREAKDOWN)[number];

async function serveBare(): Promise<void> {
  const bare = Fastify();
  bare.post('/bare', async (_request, reply) => reply.code(202).send({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const address = bare.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.send?.({ port: address.port });
  process.once('message', () => void bare.close().then(() => process.exit(0)));
}

async function serveBreakdown(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-bench-'));
  const durable = await openStore(join(dir, 'bench.db'));
  const inMemory = await openStore(':memory:');
  const loaded = loadMappingFile(fileURLToPath(new URL('../mappings/acme.yaml', import.meta.url)));
  if (!loaded.ok) throw new Error('mappings/acme.yaml does not load: run `gridsync mapping validate`');
  const webhookRef = loaded.value.mapping.secrets.webhookSigningSecret;
  const intakeOn = (store: IntakeStorePort) =>
    buildIntakeApp({
      store,
      mappings: { get: (tenant) => (tenant === TENANT ? loaded.value : undefined), tenants: () => [TENANT] },
      secrets: (ref) => (ref === webhookRef ? SECRET : undefined),
      logger: createLogger({ level: 'warn' }),
      publicUrl: 'http://127.0.0.1',
    });
  const apps = {
    durable: intakeOn(durable),
    inMemory: intakeOn(inMemory),
    answerOnly: intakeOn(answerOnlyStore),
  };
  const ports = {} as Record<Breakdown, number>;
  for (const name of BREAKDOWN) {
    await apps[name].listen({ host: '127.0.0.1', port: 0 });
    const address = apps[name].server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    ports[name] = address.port;
  }
  process.send?.(ports);
  process.once('message', () => {
    void (async () => {
      for (const name of BREAKDOWN) await apps[name].close();
      await durable.close();
      await inMemory.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

// ---------- the load ----------

let sequence = 0;
const SECTION =
  'Hand-rolling webhook delivery and retry logic on top of an internal queue; it works but it is fragile.';

function gridBody(): string {
  const n = ++sequence;
  const account = n % ACCOUNTS;
  return JSON.stringify({
    gridId: `bench-grid-${process.pid}-${n}`,
    submittedBy: 'devrel@vendor.example',
    capturedAt: new Date().toISOString(),
    account: { domain: benchDomain(account), name: `Account ${account}` },
    contact: { email: `dev@${benchDomain(account)}`, name: 'Dev' },
    context: { event: 'API World' },
    beforeScenario: SECTION,
    idealScenario: SECTION,
    negativeConsequences: SECTION,
    positiveOutcomes: { business: SECTION, personal: SECTION },
    requiredCapabilities: SECTION,
  });
}

/** One batch as a template; each request swaps in a fresh prefix so every signal id is new. */
const SIGNAL_TEMPLATE = JSON.stringify({
  signals: Array.from({ length: 1000 }, (_unused, i) => ({
    id: `@@-${i}`,
    type: i % 2 === 0 ? 'product.active_day' : 'website.pricing_view',
    account: { domain: benchDomain(i % ACCOUNTS) },
    contact: { email: `dev${i % 7}@account.example` },
    occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    value: 1,
    attributes: { feature: 'retries' },
    source: i % 2 === 0 ? 'product' : 'website',
  })),
});

type Build = () => autocannon.Request;

const signed = (path: string, body: string): autocannon.Request => ({
  method: 'POST',
  path,
  headers: { ...signedWebhookHeaders({ secrets: SECRET, body }), 'content-type': 'application/json' },
  body,
});
let batch = 0;
const gridRequest: Build = () => signed(`/v1/tenants/${TENANT}/grids`, gridBody());
const signalRequest: Build = () =>
  signed(`/v1/tenants/${TENANT}/signals`, SIGNAL_TEMPLATE.replaceAll('@@', `b${process.pid}-${++batch}`));
const bareRequest: Build = () => ({
  method: 'POST',
  path: '/bare',
  headers: { 'content-type': 'application/json' },
  body: gridBody(),
});

/** Builds `size` requests now; the timed run takes them in order (and builds more only if it outruns them). */
function prepared(build: Build, size: number): Build {
  const pool = Array.from({ length: size }, build);
  let next = 0;
  return () => pool[next++] ?? build();
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
}

async function drive(
  base: string,
  build: Build,
  { connections = CONNECTIONS, rate }: { connections?: number; rate?: number } = {},
): Promise<Run> {
  const options = {
    url: base,
    connections,
    ...(rate === undefined ? {} : { overallRate: rate }),
  };
  await autocannon({ ...options, duration: WARMUP_SECONDS, requests: [{ setupRequest: build }] });
  const result = await autocannon({ ...options, duration: SECONDS, requests: [{ setupRequest: build }] });
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    failed: result.non2xx + result.errors,
  };
}

const medianOf = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]));

function line(label: string, runs: Run[]): string {
  const reps = runs.length > 1 ? `  [${runs.map((r) => r.rps.toFixed(0)).join(', ')}]` : '';
  const failed = runs.reduce((n, r) => n + r.failed, 0);
  return (
    `${label.padEnd(40)}${medianOf(runs, 'rps').toFixed(0).padStart(7)} req/s   p50 ${String(medianOf(runs, 'p50')).padStart(3)} ms   ` +
    `p99 ${String(medianOf(runs, 'p99')).padStart(4)} ms${failed ? `   ${failed} FAILED` : ''}${reps}`
  );
}

function forkChild<T>(flag: string): Promise<{ value: T; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [flag], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (value) =>
      resolve({
        value: value as T,
        stop: async () => {
          child.send('stop');
          await new Promise((done) => child.once('exit', done));
        },
      }),
    );
    child.once('exit', (code) => reject(new Error(`${flag} process exited with ${code}`)));
  });
}

function printSignals(signalRuns: Run[]): void {
  console.log(line('gridsync serve, signal batches of 1,000', signalRuns));
  console.log(
    `${'  signals per second'.padEnd(40)}${(medianOf(signalRuns, 'rps') * 1000).toFixed(0).padStart(7)}   (goal ≥ 50,000)`,
  );
}

async function main(): Promise<void> {
  const standIn = await startHubSpotThread(ACCOUNTS);
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-intake-bench-'));
  const mapping = parseDocument(readFileSync('mappings/acme.yaml', 'utf8'));
  mapping.setIn(['crm', 'baseUrl'], standIn.url);
  mapping.setIn(['crm', 'requestsPer10Seconds'], 190);
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'mappings', 'acme.yaml'), mapping.toString());
  const database = await serveDatabase();
  const server = await startServe(dir, {
    ACME_WEBHOOK_SECRET: SECRET,
    ACME_STATUS_TOKEN: 'bench-status-token',
    ACME_HUBSPOT_TOKEN: 'test-token',
    ...(database ? { GRIDSYNC_DATABASE_URL: database.url } : {}),
  });
  const bare = await forkChild<{ port: number }>('--bare');
  const bareUrl = `http://127.0.0.1:${bare.value.port}`;

  console.log(
    `gridsync intake bench: ${REPS} interleaved repetitions of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ` +
      `${CONNECTIONS} connections, Node ${process.version}; gridsync serve (${database ? 'PostgreSQL' : 'SQLite file'}, LOG_LEVEL=info, worker ` +
      `syncing to a HubSpot stand-in at 190 req/10 s)`,
  );
  try {
    const bareRuns: Run[] = [];
    const serveRuns: Run[] = [];
    for (let rep = 0; GRIDS && rep < REPS; rep++) {
      bareRuns.push(await drive(bareUrl, prepared(bareRequest, GRID_POOL)));
      serveRuns.push(await drive(server.url, prepared(gridRequest, GRID_POOL)));
    }
    const fixed = GRIDS
      ? await drive(server.url, prepared(gridRequest, FIXED_RATE * (SECONDS + WARMUP_SECONDS) + 100), {
          rate: FIXED_RATE,
        })
      : undefined;
    const signalRuns: Run[] = [];
    for (let rep = 0; SIGNALS && rep < REPS; rep++) {
      signalRuns.push(await drive(server.url, prepared(signalRequest, SIGNAL_POOL), { connections: 4 }));
    }

    console.log('');
    if (GRIDS && fixed) {
      const breakdown = await forkChild<Record<Breakdown, number>>('--breakdown');
      const at = (name: Breakdown) => `http://127.0.0.1:${breakdown.value[name]}`;
      const durable = await drive(at('durable'), prepared(gridRequest, GRID_POOL));
      const inMemory = await drive(at('inMemory'), prepared(gridRequest, GRID_POOL));
      const answerOnly = await drive(at('answerOnly'), prepared(gridRequest, GRID_POOL));
      await breakdown.stop();

      const bareRps = medianOf(bareRuns, 'rps');
      const share = (runs: Run[]) => `${((medianOf(runs, 'rps') / bareRps) * 100).toFixed(1)} % of bare`;
      console.log(line('bare Fastify POST (own process)', bareRuns));
      console.log(line('gridsync serve, signed grids', serveRuns));
      console.log(
        `${'  ratio signed ÷ bare'.padEnd(40)}${((medianOf(serveRuns, 'rps') / bareRps) * 100).toFixed(1).padStart(7)} %   (goal ≥ 50 %)`,
      );
      console.log(
        `${`  at a fixed ${FIXED_RATE} req/s`.padEnd(40)}${fixed.rps.toFixed(0).padStart(7)} req/s   p50 ${String(fixed.p50).padStart(3)} ms   ` +
          `p99 ${String(fixed.p99).padStart(4)} ms   max ${fixed.max} ms${fixed.failed ? `   ${fixed.failed} FAILED` : ''}`,
      );
      if (SIGNALS) printSignals(signalRuns);
      console.log('where the time goes (intake app in-process, warn logging, no worker):');
      console.log(line('  SQLite file', [durable]) + `   ${share([durable])}`);
      console.log(line('  in-memory SQLite (no fsync)', [inMemory]) + `   ${share([inMemory])}`);
      console.log(line('  store answering only', [answerOnly]) + `   ${share([answerOnly])}`);
    } else {
      printSignals(signalRuns);
    }
    const counts = await standIn.counts();
    console.log(
      `worker meanwhile: ${counts.records} grid records and ${counts.calls} HubSpot calls (${counts.limited} answered 429)`,
    );
  } finally {
    await bare.stop();
    await server.stop();
    await database?.drop();
    await standIn.close();
    if (process.env['BENCH_KEEP']) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** BENCH_STORE=postgres: a scratch database for gridsync serve; otherwise none (its SQLite file). */
async function serveDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const store = process.env['BENCH_STORE'] ?? 'sqlite';
  if (store === 'sqlite') return undefined;
  const base = process.env['GRIDSYNC_TEST_DATABASE_URL'];
  if (store !== 'postgres' || base === undefined) {
    throw new Error('BENCH_STORE is sqlite or postgres; postgres needs GRIDSYNC_TEST_DATABASE_URL');
  }
  return scratchDatabase(base, 'bench_intake');
}

if (process.argv.includes('--bare')) await serveBare();
else if (process.argv.includes('--breakdown')) await serveBreakdown();
else await main();
