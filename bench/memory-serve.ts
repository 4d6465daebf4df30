/**
 * `node bench/memory-serve.ts`: peak RSS of `gridsync serve`, started as production starts it (gridsync's node
 * flags, a SQLite file, `LOG_LEVEL=info`), while 1M signals arrive over HTTP (signed batches of 1,000, several
 * at once) and its worker refreshes the accounts they name, until every account's stored state counts all of
 * its signals. bench/memory.ts measures the same evaluation called in-process; this is what an operator sees.
 * Two spreads, uniform over 7,000 accounts and hot (five accounts with 200,000 signals each), and a same-run
 * baseline: the hot run on V8's default heap sizing (without src/cli/node-flags.ts). Tenant acme in dry-run
 * (no CRM credentials): the CRM plays no part in what an evaluation holds.
 *
 *   node bench/memory-serve.ts                      (a few minutes)
 *   BENCH_SIGNALS=200000 node bench/memory-serve.ts  a smaller run
 *   BENCH_CONNECTIONS=4                              batches in flight at once
 *
 * Linux only: the peak is the server's VmHWM (/proc/<pid>/status). Goal (issue 13 item 1): ≤ 256 MB.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { NODE_FLAGS } from '../src/cli/node-flags.ts';
import { signedWebhookHeaders } from '../src/intake/sign-webhook.ts';
import {
  accountOf,
  makeSignals,
  SIGNAL_BATCH,
  signalDomain,
  type Spread,
  SPREADS,
} from './support/bench-signals.ts';
import { startServe, until } from './support/serve-process.ts';

const TOTAL = Number(process.env['BENCH_SIGNALS'] ?? 1_000_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 4);
const SECRET = `whsec_${Buffer.from('gridsync-memory-bench-secret').toString('base64')}`;

interface Figures {
  peakMb: number;
  ingestS: number;
  settledS: number;
  jobs: number;
}

console.log(
  `bench/memory-serve: ${TOTAL.toLocaleString('en')} signals over HTTP to gridsync serve (SQLite, worker on), ` +
    `${CONNECTIONS} batches in flight, Node ${process.version}\n  gridsync’s node flags: ${NODE_FLAGS.join(' ')} (src/cli/node-flags.ts)`,
);
const runs: [Spread, readonly string[]][] = [
  ['uniform', NODE_FLAGS],
  ['hot', NODE_FLAGS],
  ['hot', []],
];
for (const [spread, flags] of runs) {
  const what = `${SPREADS[spread].label}, ${flags.length === 0 ? 'V8 defaults' : 'gridsync’s node flags'}`;
  const f = await run(spread, flags);
  console.log(
    `  ${what.padEnd(50)} peak RSS ${f.peakMb.toFixed(0).padStart(4)} MB   ingest ${f.ingestS.toFixed(1)} s, ` +
      `every account settled ${f.settledS.toFixed(1)} s after, ${f.jobs} account.refresh jobs`,
  );
}
console.log('  (goal: ≤ 256 MB peak RSS with gridsync’s node flags)');

async function run(spread: Spread, nodeFlags: readonly string[]): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-memory-serve-'));
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'mappings', 'acme.yaml'), readFileSync('mappings/acme.yaml', 'utf8'));
  const server = await startServe(
    dir,
    { ACME_WEBHOOK_SECRET: SECRET, ACME_STATUS_TOKEN: 'bench-status-token' },
    { nodeFlags },
  );
  const pid = server.child.pid;
  try {
    const accounts = SPREADS[spread].accounts;
    const now = new Date();
    const started = performance.now();
    let next = 0;
    const poster = async (): Promise<void> => {
      for (let first = next; first < TOTAL; first = next) {
        next += SIGNAL_BATCH;
        const body = JSON.stringify({
          signals: makeSignals(first, Math.min(SIGNAL_BATCH, TOTAL - first), accounts, now),
        });
        const response = await fetch(`${server.url}/v1/tenants/acme/signals`, {
          method: 'POST',
          headers: { ...signedWebhookHeaders({ secrets: SECRET, body }), 'content-type': 'application/json' },
          body,
        });
        if (response.status !== 202) {
          throw new Error(`batch ${first}: ${response.status} ${await response.text()}`);
        }
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, poster));
    const ingestS = (performance.now() - started) / 1000;
    const expected = expectedCounts(accounts);
    const settled = performance.now();
    const jobs = await until(
      () => Promise.resolve(settledJobs(join(dir, 'gridsync.db'), expected)),
      'every account to count all its signals',
      600_000,
    );
    return {
      peakMb: peakRssMb(pid),
      ingestS,
      settledS: (performance.now() - settled) / 1000,
      jobs,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signals per account domain, as makeSignals spreads them (all within the rule's 30-day window). */
function expectedCounts(accounts: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < TOTAL; i++) {
    const domain = signalDomain(accountOf(i, accounts));
    counts.set(domain, (counts.get(domain) ?? 0) + 1);
  }
  return counts;
}

/**
 * Once no job waits or runs and every account's state counts all of its signals: the account.refresh jobs
 * that ran (succeeded); before that, 0 (not yet). Read from the server's own file, as `gridsync` commands do.
 */
function settledJobs(file: string, expected: Map<string, number>): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const open = db.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN ('pending', 'running')`).get() as {
      n: number;
    };
    if (open.n > 0) return 0;
    const states = db
      .prepare(
        `SELECT account_domain AS domain, json_extract(doc, '$.signalCount') AS count FROM account_state WHERE tenant = 'acme'`,
      )
      .all() as { domain: string; count: number }[];
    const counted = new Map(states.map((s) => [s.domain, s.count]));
    for (const [domain, count] of expected) if (counted.get(domain) !== count) return 0;
    const done = db
      .prepare(`SELECT count(*) AS n FROM jobs WHERE kind = 'account.refresh' AND state = 'succeeded'`)
      .get() as { n: number };
    return done.n;
  } finally {
    db.close();
  }
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}
