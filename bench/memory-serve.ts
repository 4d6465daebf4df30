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

import { NODE_FLAGS } from '../src/cli/node-flags.ts';
import {
  expectedSignalCounts,
  peakRssMb,
  postSignalBatches,
  settledRefreshJobs,
} from '../test/support/signal-load.ts';
import { type Spread, SPREADS } from '../test/support/spread-signals.ts';
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
  try {
    const { accounts } = SPREADS[spread];
    const started = performance.now();
    await postSignalBatches({
      url: server.url,
      tenant: 'acme',
      secret: SECRET,
      total: TOTAL,
      accounts,
      connections: CONNECTIONS,
      now: new Date(),
    });
    const ingestS = (performance.now() - started) / 1000;
    const expected = expectedSignalCounts(TOTAL, accounts);
    const settled = performance.now();
    const jobs = await until(
      () => Promise.resolve(settledRefreshJobs(join(dir, 'gridsync.db'), 'acme', expected)),
      'every account to count all its signals',
      600_000,
    );
    return {
      peakMb: peakRssMb(server.child.pid),
      ingestS,
      settledS: (performance.now() - settled) / 1000,
      jobs,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
