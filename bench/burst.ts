/**
 * `node bench/burst.ts`: does the intake wait for the worker? `gridsync serve` runs as an operator runs it (a child
 * process, SQLite file, `info` logging, a live HubSpot tenant pointed at the local stand-in); its accounts are made
 * to qualify first, then a burst of signed grids arrives while the worker syncs them and creates their AE tasks.
 * Throughout, a prober (its own thread, so the load generator cannot delay it) asks `GET /healthz` every 10 ms,
 * and the server's own event-loop delay is recorded (bench/support/event-loop-probe.ts).
 *
 *   node bench/burst.ts                      2,000 grids over 400 accounts, 16 connections
 *   BENCH_GRIDS=500 BENCH_CONNECTIONS=4 node bench/burst.ts
 *
 * BENCH_PROFILE=dir writes a CPU profile of the server (`node --cpu-prof`) there; BENCH_SERVER_FLAGS adds
 * node flags to the server's command line (e.g. `--import` a diagnostic module).
 *
 * The baseline, in the same run: /healthz on the same server, idle, before the burst. Goal:
 * /healthz p99 under 50 ms and max under 200 ms from the first grid until the worker has drained the burst.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseDocument } from 'yaml';

import { signedWebhookHeaders } from '../src/intake/sign-webhook.ts';
import grid from '../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { qualifyingSignals } from '../test/support/fixtures.ts';
import { benchDomain, startHubSpotThread } from './support/hubspot-thread.ts';
import {
  type LoopDelay,
  loopDelay,
  nextMessage as next,
  percentile,
  resetLoopDelay,
  type ServeProcess,
  startServe,
  until as untilWithin,
} from './support/serve-process.ts';

const GRIDS = Number(process.env['BENCH_GRIDS'] ?? 2_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const ACCOUNTS = Math.max(1, Math.floor(GRIDS / 5));
const PROBE_EVERY_MS = 10;
const IDLE_MS = 3_000;
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const SECRET = `whsec_${Buffer.from('gridsync-burst-bench-secret').toString('base64')}`;
const TOKEN = 'test-token';

const role = (workerData as { role?: 'prober' } | undefined)?.role;
if (!isMainThread && role === 'prober') await probe((workerData as { url: string }).url);
else await runBench();

// ---------- thread: the /healthz prober ----------

async function probe(url: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  const samples: number[] = [];
  parentPort!.once('message', () => (stopped = true));
  while (!stopped) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      get(`${url}/healthz`, { agent }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`))));
      }).once('error', reject);
    });
    const took = performance.now() - started;
    samples.push(took);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, PROBE_EVERY_MS - took)));
  }
  agent.destroy();
  parentPort!.postMessage(samples);
}

// ---------- main: server, load, figures ----------

async function runBench(): Promise<void> {
  const standIn = await startHubSpotThread(ACCOUNTS);
  const { url: fakeUrl, deals } = standIn;
  const counts = () => standIn.counts();

  const dir = mkdtempSync(join(tmpdir(), 'gridsync-burst-'));
  const mapping = parseDocument(readFileSync('mappings/acme.yaml', 'utf8'));
  mapping.setIn(['crm', 'baseUrl'], fakeUrl);
  mapping.setIn(['crm', 'requestsPer10Seconds'], 1000);
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'mappings', 'acme.yaml'), mapping.toString());
  const server = await startServe(dir, {
    ACME_WEBHOOK_SECRET: SECRET,
    ACME_STATUS_TOKEN: 'bench-status-token',
    ACME_HUBSPOT_TOKEN: TOKEN,
  });
  const base = `${server.url}/v1/tenants/acme`;
  console.log(
    `bench/burst: ${GRIDS} grids over ${ACCOUNTS} accounts, ${CONNECTIONS} connections; gridsync serve (SQLite file, ` +
      `LOG_LEVEL=info) on Node ${process.version}`,
  );

  try {
    // 1. The accounts qualify, so every grid of the burst also gets its AE task (the worker's full path).
    const signals = Array.from({ length: ACCOUNTS }, (_u, i) => qualifyingSignals(benchDomain(i))).flat();
    for (let i = 0; i < signals.length; i += 1000) {
      await post(`${base}/signals`, { signals: signals.slice(i, i + 1000) });
    }
    await until(async () => (await counts()).qualified === ACCOUNTS, 'the accounts to qualify');

    // 2. Baseline: the same server, idle.
    const idle = await probeWhile(server, () => new Promise((resolve) => setTimeout(resolve, IDLE_MS)));

    // 3. The burst, and the worker draining it.
    let sent = 0;
    const intakeMs: number[] = [];
    let burstMs = 0;
    const busy = await probeWhile(server, async () => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (sent < GRIDS) {
            const i = sent++;
            const at = performance.now();
            await post(`${base}/grids`, {
              ...grid,
              gridId: `grid-burst-${i}`,
              capturedAt: new Date().toISOString(),
              account: { domain: benchDomain(i % ACCOUNTS), name: `Account ${i % ACCOUNTS}` },
              contact: { email: `dev@${benchDomain(i % ACCOUNTS)}`, name: 'Dev' },
              deal: { crmId: deals[i % ACCOUNTS] },
            });
            intakeMs.push(performance.now() - at);
          }
        }),
      );
      burstMs = performance.now() - started;
      await until(async () => {
        const c = await counts();
        return c.records === GRIDS && c.tasks === GRIDS;
      }, 'the worker to sync every grid and create its task');
    });
    const drainedMs = busy.ms;
    const final = await counts();

    console.log('');
    console.log(
      `  burst sent            ${GRIDS} grids in ${(burstMs / 1000).toFixed(1)} s (intake ${stats(intakeMs)})`,
    );
    console.log(
      `  worker drained        ${(drainedMs / 1000).toFixed(1)} s after the first grid: ${final.records} records, ` +
        `${final.tasks} tasks, ${final.calls} HubSpot calls (${final.limited} answered 429)`,
    );
    console.log(`  /healthz idle         ${stats(idle.samples)}   event loop delay ${loop(idle.loop)}`);
    console.log(`  /healthz during burst ${stats(busy.samples)}   event loop delay ${loop(busy.loop)}`);
    const p99 = percentile(busy.samples, 99);
    const max = Math.max(...busy.samples);
    console.log(
      `  ratio busy ÷ idle     p99 ${(p99 / percentile(idle.samples, 99)).toFixed(1)} ×   ` +
        `goal p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}, max < 200 ms: ${max < 200 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await server.stop();
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }

  async function post(url: string, body: unknown): Promise<void> {
    const payload = JSON.stringify(body);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...signedWebhookHeaders({ secrets: SECRET, body: payload }),
        'content-type': 'application/json',
      },
      body: payload,
    });
    if (response.status !== 202) {
      throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
    }
    await response.arrayBuffer();
  }
}

/** Runs `work` while the prober asks /healthz and the server records its event-loop delay. */
async function probeWhile(
  server: ServeProcess,
  work: () => Promise<unknown>,
): Promise<{ samples: number[]; loop: LoopDelay; ms: number }> {
  resetLoopDelay(server);
  const prober = new Worker(new URL(import.meta.url), { workerData: { role: 'prober', url: server.url } });
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  prober.postMessage('stop');
  const samples = await next<number[]>(prober);
  await prober.terminate();
  return { samples, loop: await loopDelay(server), ms };
}

function stats(values: number[]): string {
  const f = (n: number) => n.toFixed(1).padStart(6);
  return `p50 ${f(percentile(values, 50))} ms  p99 ${f(percentile(values, 99))} ms  max ${f(Math.max(...values))} ms  (${values.length})`;
}

function loop(d: LoopDelay): string {
  return `p50 ${d.p50} ms  p99 ${d.p99} ms  max ${d.max} ms`;
}

function until<T>(check: () => Promise<T>, what: string): Promise<NonNullable<T>> {
  return untilWithin(check, what, DRAIN_TIMEOUT_MS);
}
