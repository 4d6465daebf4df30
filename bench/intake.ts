/**
 * `node bench/intake.ts`: signed grid intake against a bare Fastify route, on the same machine in the same run,
 * then signal-batch throughput. The servers run in a child process (one event loop, as in production) while
 * autocannon drives them from this one, so the load generator does not share the servers' event loop.
 *
 * Every signed request gets a unique webhook-id, a fresh signature and a new gridId (signal ids are unique per
 * batch), so each one is really verified, validated and committed: nothing is answered from the replay path.
 *
 * Two extra lines say where the time goes: the same intake on an in-memory SQLite store (the store's work
 * without fsync), and on a store that only answers (intake's own work: HTTP, signature, JSON, validation).
 *
 * Options (env): BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 10), BENCH_PROFILE (a folder for a CPU
 * profile of the server process).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';
import Fastify from 'fastify';

import { buildIntakeApp } from '../src/intake/build-intake-app.ts';
import type { IntakeStorePort } from '../src/store/store.ts';
import { signedWebhookHeaders } from '../src/intake/sign-webhook.ts';
import { createLogger } from '../src/lib/logger.ts';
import { loadMappingFile } from '../src/mapping/load-mapping-file.ts';
import { openStore } from '../src/store/open-store.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const WARMUP_SECONDS = 2;
const TENANT = 'acme';
const SECRET = `whsec_${Buffer.from('gridsync-bench-secret-24b').toString('base64')}`;
const ACCOUNTS = 200;

const SERVERS = ['bare', 'durable', 'inMemory', 'answerOnly'] as const;
type Ports = Record<(typeof SERVERS)[number], number> & { database: string };

// ---------- child: the servers ----------

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

async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-bench-'));
  const database = join(dir, 'bench.db');
  const durable = await openStore(database);
  const inMemory = await openStore(':memory:');
  const loaded = loadMappingFile(fileURLToPath(new URL('../mappings/acme.yaml', import.meta.url)));
  if (!loaded.ok) throw new Error('mappings/acme.yaml does not load: run `gridsync mapping validate`');
  const webhookRef = loaded.value.mapping.secrets.webhookSigningSecret;
  const intakeOn = (store: IntakeStorePort) =>
    buildIntakeApp({
      store,
      mappings: { get: (tenant) => (tenant === TENANT ? loaded.value : undefined), tenants: () => [TENANT] },
      secrets: (ref) => (ref === webhookRef ? SECRET : undefined),
      // At info, Fastify logs two lines per request; the bench measures intake, not the terminal.
      logger: createLogger({ level: 'warn' }),
      publicUrl: 'http://127.0.0.1',
    });
  const bare = Fastify();
  bare.post('/bare', async (_request, reply) => reply.code(202).send({ ok: true }));
  const apps = {
    bare,
    durable: intakeOn(durable),
    inMemory: intakeOn(inMemory),
    answerOnly: intakeOn(answerOnlyStore),
  };

  const ports = { database } as Ports;
  for (const name of SERVERS) {
    await apps[name].listen({ host: '127.0.0.1', port: 0 });
    const address = apps[name].server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    ports[name] = address.port;
  }
  process.send?.(ports);
  process.once('message', () => {
    void (async () => {
      for (const name of SERVERS) await apps[name].close();
      await durable.close();
      await inMemory.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

// ---------- parent: the load ----------

let sequence = 0;
const SECTION =
  'Hand-rolling webhook delivery and retry logic on top of an internal queue; it works but it is fragile.';

function gridBody(): string {
  const n = ++sequence;
  return JSON.stringify({
    gridId: `bench-grid-${process.pid}-${n}`,
    submittedBy: 'devrel@vendor.example',
    capturedAt: '2026-11-20T16:05:00Z',
    account: { domain: `account-${n % ACCOUNTS}.example`, name: 'Ledgerline' },
    contact: { email: 'maya@ledgerline.example', name: 'Maya Ortiz' },
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
    account: { domain: `account-${i % ACCOUNTS}.example` },
    contact: { email: `dev${i % 7}@account.example` },
    occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    value: 1,
    attributes: { feature: 'retries' },
    source: i % 2 === 0 ? 'product' : 'website',
  })),
});

function signed(path: string, body: string): autocannon.Request {
  return { method: 'POST', path, headers: { ...signedWebhookHeaders({ secrets: SECRET, body }) }, body };
}

const gridRequest = () => signed(`/v1/tenants/${TENANT}/grids`, gridBody());
const bareRequest = (): autocannon.Request => ({
  method: 'POST',
  path: '/bare',
  headers: { 'content-type': 'application/json' },
  body: gridBody(),
});
let batch = 0;
const signalRequest = () =>
  signed(`/v1/tenants/${TENANT}/signals`, SIGNAL_TEMPLATE.replaceAll('@@', `b${process.pid}-${++batch}`));

async function drive(
  port: number,
  build: () => autocannon.Request,
  seconds: number,
  connections = CONNECTIONS,
) {
  await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: WARMUP_SECONDS,
    requests: [{ setupRequest: build }],
  });
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [{ setupRequest: build }],
  });
}

function line(label: string, result: autocannon.Result): string {
  const failures = result.non2xx + result.errors;
  return (
    `${label.padEnd(34)}${result.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(result.latency.p50).padStart(3)} ms   ` +
    `p99 ${String(result.latency.p99).padStart(4)} ms   (${result['2xx']} 2xx, ${failures} failed)`
  );
}

const percent = (part: autocannon.Result, whole: autocannon.Result) =>
  `${((part.requests.average / whole.requests.average) * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: process.env['BENCH_PROFILE']
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`]
      : [],
  });
  const ports = await new Promise<Ports>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ports));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });

  console.log(
    `gridsync intake bench: ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ` +
      `Node ${process.version}, SQLite file ${ports.database}`,
  );
  const bare = await drive(ports.bare, bareRequest, SECONDS);
  const durable = await drive(ports.durable, gridRequest, SECONDS);
  const inMemory = await drive(ports.inMemory, gridRequest, SECONDS);
  const answerOnly = await drive(ports.answerOnly, gridRequest, SECONDS);
  const signals = await drive(ports.durable, signalRequest, SECONDS, 4);
  const signalsPerSecond = (signals['2xx'] * 1000) / signals.duration;

  console.log('');
  console.log(line('bare Fastify POST', bare));
  console.log(line('signed grid intake (SQLite file)', durable));
  console.log(`${'  ratio signed / bare'.padEnd(34)}${percent(durable, bare).padStart(7)}   (goal ≥ 50 %)`);
  console.log(line('  same, in-memory SQLite', inMemory) + `  ${percent(inMemory, bare)} of bare`);
  console.log(line('  same, store answering only', answerOnly) + `  ${percent(answerOnly, bare)} of bare`);
  console.log(line('signal batches of 1,000', signals));
  console.log(
    `${'  signals per second'.padEnd(34)}${signalsPerSecond.toFixed(0).padStart(7)}   (goal ≥ 50,000)`,
  );

  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}

if (process.argv.includes('--serve')) await serve();
else await main();
