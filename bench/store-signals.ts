/**
 * Throughput of the store's signal hot path: acceptSignals with 1,000-signal batches, as intake calls it after
 * validation (so this is the store's share of the 50,000 signals/s goal, not the HTTP path's).
 *
 *   node bench/store-signals.ts [batches=100] [concurrency=1,4]
 *
 * SQLite always (a temp file, WAL, synchronous=FULL); PostgreSQL too when GRIDSYNC_TEST_DATABASE_URL is set
 * (a temp schema, dropped afterwards). Wall-clock figures need a quiet machine; the per-CPU-second figure of
 * SQLite (whose work all happens in this process) holds up better when other processes compete for the cores. Each batch spreads over 100 of 500 accounts, like a product-analytics
 * export, so account activity and refresh jobs are exercised, not only the signal insert.
 */
import type { Signal } from '../src/domain/signal.ts';
import type { AcceptSignals, Store } from '../src/store/store.ts';
import {
  tempPostgresStore,
  tempSqliteStore,
  testDatabaseUrl,
  type TempStore,
} from '../test/support/temp-store.ts';

const BATCH = 1_000;
const batches = Number(process.argv[2] ?? 100);
const concurrencies = (process.argv[3] ?? '1,4').split(',').map(Number);
let sequence = 0;

function batch(): AcceptSignals {
  const base = Date.parse('2026-11-20T00:00:00Z');
  const first = sequence;
  sequence += BATCH;
  const signals: Signal[] = Array.from({ length: BATCH }, (_, i) => ({
    id: `sig-${first + i}`,
    type: i % 3 === 0 ? 'product.active_day' : 'docs.page_view',
    account: { domain: `account-${((first / BATCH) * 37 + (i % 100)) % 500}.example` },
    occurredAt: new Date(base + (first + i) * 1_000).toISOString(),
    value: i % 7,
    attributes: { page: '/docs/webhooks/signatures', plan: 'pro', seats: 12 },
    source: i % 3 === 0 ? 'product' : 'docs',
  }));
  return {
    tenant: 'bench',
    webhookId: `wh-${first}`,
    signals,
    receivedAt: new Date(),
    answer: (result) => ({ status: 202, body: result }),
  };
}

interface Figures {
  /** Signals per wall-clock second. */
  wall: number;
  /** Signals per CPU second of this process: for SQLite (all work in-process) the store's cost on an idle core. */
  cpu: number;
}

async function run(store: Store, total: number, concurrency: number): Promise<Figures> {
  const work = Array.from({ length: total }, batch);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = work.pop(); next; next = work.pop()) await store.acceptSignals(next);
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (total * BATCH) / seconds, cpu: (total * BATCH) / ((cpu.user + cpu.system) / 1e6) };
}

const format = (n: number) => Math.round(n).toLocaleString('en');

async function measure(name: string, open: () => Promise<TempStore>): Promise<void> {
  for (const concurrency of concurrencies) {
    const { store, cleanup } = await open();
    try {
      await run(store, 5, concurrency); // warm-up: statements prepared, pool connected
      const { wall, cpu } = await run(store, batches, concurrency);
      console.log(
        `${name.padEnd(10)} concurrency ${concurrency}: ${format(wall)} signals/s wall clock, ` +
          `${format(cpu)} signals per CPU second of this process (${batches} batches of ${BATCH})`,
      );
    } finally {
      await cleanup();
    }
  }
}

await measure('SQLite', tempSqliteStore);
if (testDatabaseUrl()) await measure('PostgreSQL', () => tempPostgresStore('bench'));
else {
  console.log(
    'PostgreSQL skipped: set GRIDSYNC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to measure it',
  );
}
