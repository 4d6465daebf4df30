/**
 * `node bench/memory.ts`: peak RSS of one process that ingests 1M signals (acceptSignals, batches of 1,000, a
 * SQLite file) and then re-evaluates every account as the worker's account.refresh jobs do (refreshAccounts, 50
 * accounts a batch) and runs the scheduled pass once (planTenantSync). Two spreads: uniform over 7,000 accounts,
 * and hot (five accounts with 200,000 signals each). Each measurement is a child process of its own, so its
 * peak (process.resourceUsage().maxRSS) is its own. Same-run baselines: a process that only opens the store
 * and loads the mapping (the floor); the hot pass on V8's default heap sizing, without gridsync's node flags
 * (src/cli/node-flags.ts, which every other child runs with, as `gridsync serve` does); and, for each spread, the
 * same pass reading each account's signals all at once (listAccountSignals + evaluateAccount: how gridsync read
 * them before they came in pages).
 *
 *   node bench/memory.ts                      everything (several minutes)
 *   BENCH_SIGNALS=200000 node bench/memory.ts  a smaller run
 *   BENCH_ALL_AT_ONCE=0 node bench/memory.ts   without the all-at-once baselines (they can take > 1 GB when hot)
 *
 * Goal (issue 13 item 1): ≤ 256 MB peak RSS for 1M signals, uniform and hot. bench/memory-serve.ts measures the
 * same through `gridsync serve`, with the signals arriving over HTTP while its worker evaluates them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NODE_FLAGS } from '../src/cli/node-flags.ts';
import { TtlCache } from '../src/lib/ttl-cache.ts';
import { loadMappingFile } from '../src/mapping/load-mapping-file.ts';
import { evaluateAccount, signalLookbackStart } from '../src/qualification/evaluate-account.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { refreshAccounts } from '../src/sync/refresh-accounts.ts';
import type { TenantContext } from '../src/sync/tenant-context.ts';
import { planTenantSync } from '../src/sync/tenant-sync.ts';
import { makeSignals, SIGNAL_BATCH, type Spread, SPREADS } from '../test/support/spread-signals.ts';

const TOTAL = Number(process.env['BENCH_SIGNALS'] ?? 1_000_000);
const TENANT = 'acme';
const NOW = new Date('2026-11-20T12:00:00Z');
type Mode = 'floor' | 'paged' | 'all-at-once';

const [, , role, spreadArg, modeArg] = process.argv;
if (role === '--child') {
  await child(spreadArg as Spread, modeArg as Mode);
} else {
  parent();
}

function parent(): void {
  console.log(`bench/memory: ${TOTAL.toLocaleString('en')} signals, SQLite, Node ${process.version}`);
  console.log(
    `  node flags: ${NODE_FLAGS.join(' ')} (src/cli/node-flags.ts), except where it says V8 defaults`,
  );
  const runs: [Spread, Mode, readonly string[]][] = [['uniform', 'floor', NODE_FLAGS]];
  for (const spread of ['uniform', 'hot'] as const) {
    runs.push([spread, 'paged', NODE_FLAGS]);
    if (spread === 'hot') runs.push([spread, 'paged', []]);
    if (process.env['BENCH_ALL_AT_ONCE'] !== '0') runs.push([spread, 'all-at-once', NODE_FLAGS]);
  }
  let floor = 0;
  for (const [spread, mode, flags] of runs) {
    const result = spawnSync(process.execPath, [...flags, process.argv[1] ?? '', '--child', spread, mode], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    if (result.status !== 0 || !line.startsWith('{')) {
      console.log(`  ${spread} ${mode}: failed (exit ${result.status}, ${result.signal ?? 'no signal'})`);
      continue;
    }
    const figures = JSON.parse(line) as {
      peakMb: number;
      ingestPeakMb: number;
      ingestS: number;
      passS: number;
      accounts: number;
    };
    if (mode === 'floor') floor = figures.peakMb;
    const defaults = flags.length === 0 ? ', V8 defaults' : '';
    const what =
      mode === 'floor'
        ? 'floor (store open, mapping loaded)'
        : `${SPREADS[spread].label}, ${mode}${defaults}`;
    const timings =
      mode === 'floor'
        ? ''
        : `   (${figures.ingestPeakMb.toFixed(0)} MB after ingest)   ingest ${figures.ingestS.toFixed(1)} s, pass over ${figures.accounts} accounts ${figures.passS.toFixed(1)} s`;
    const ratio = mode === 'floor' || floor === 0 ? '' : `  (${(figures.peakMb / floor).toFixed(1)} × floor)`;
    console.log(
      `  ${what.padEnd(46)} peak RSS ${figures.peakMb.toFixed(0).padStart(5)} MB${ratio}${timings}`,
    );
  }
  console.log("  (goal: ≤ 256 MB peak RSS for the paged runs with gridsync's node flags)");
}

async function child(spread: Spread, mode: Mode): Promise<void> {
  const loaded = loadMappingFile('mappings/acme.yaml');
  if (!loaded.ok) throw new Error('mappings/acme.yaml does not load');
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-memory-'));
  const store = await openStore(join(dir, 'memory.db'));
  let ingestS = 0;
  let passS = 0;
  let accounts = 0;
  let ingestPeakMb = 0;
  try {
    if (mode !== 'floor') {
      let started = performance.now();
      for (let first = 0; first < TOTAL; first += SIGNAL_BATCH) {
        await store.acceptSignals({
          tenant: TENANT,
          webhookId: `wh-${first}`,
          signals: makeSignals(first, Math.min(SIGNAL_BATCH, TOTAL - first), SPREADS[spread].accounts, NOW),
          receivedAt: NOW,
          answer: (result) => ({ status: 202, body: result }),
        });
      }
      ingestS = (performance.now() - started) / 1000;
      ingestPeakMb = process.resourceUsage().maxRSS / 1024;

      const runtime = {
        tenant: TENANT,
        loaded: loaded.value,
        crm: { mode: 'dry_run', reason: 'bench' },
        companyFields: new TtlCache<Record<string, string>>({ ttlMs: 3_600_000 }),
        breaker: { succeeded: () => undefined, failed: () => 0 },
        statusUrl: (gridId: string) => `http://localhost/${gridId}`,
      } satisfies TenantContext;
      started = performance.now();
      const domains = await store.listActiveAccounts(TENANT, signalLookbackStart(loaded.value.mapping, NOW));
      accounts = domains.length;
      for (let i = 0; i < domains.length; i += 50) {
        const batch = domains.slice(i, i + 50);
        if (mode === 'paged') await refreshAccounts(store, runtime, batch, NOW);
        else await allAtOnce(store, runtime, batch);
      }
      await planTenantSync(store, runtime, NOW);
      passS = (performance.now() - started) / 1000;
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ peakMb, ingestPeakMb, ingestS, passS, accounts }));
}

/** The read before pages: every signal of the account in one array, then evaluated and stored. */
async function allAtOnce(store: Store, runtime: TenantContext, domains: string[]): Promise<void> {
  const { mapping } = runtime.loaded;
  for (const domain of domains) {
    const signals = await store.listAccountSignals(TENANT, domain, signalLookbackStart(mapping, NOW));
    const state = evaluateAccount({ domain, signals, mapping, crmCompanyFields: {}, now: NOW });
    await store.putAccountState(TENANT, domain, { ...state, basis: runtime.loaded.contentHash });
  }
}
