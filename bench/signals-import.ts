/**
 * Issue 15's backfill at full size: `gridsync signals import` of a 100,000-line NDJSON file with 100 bad lines
 * (test/support/signal-history.ts), as an operator runs it (its own process, a fresh SQLite store), then the
 * same file again (every signal already stored). Baseline, same run: the store's own acceptSignals of the same
 * valid signals in batches of 1,000 in this process, without reading, parsing or validating a file; the ratio
 * says what the import adds on top of storing.
 *
 *   node bench/signals-import.ts [lines=100000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Signal } from '../src/domain/signal.ts';
import { openStore } from '../src/store/open-store.ts';
import { runGridsync } from '../test/support/run-gridsync.ts';
import { signalHistory } from '../test/support/signal-history.ts';

const lines = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'gridsync-bench-import-'));
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;

try {
  const file = join(dir, 'history.ndjson');
  const text = signalHistory(lines);
  writeFileSync(file, text);

  // Baseline: the same valid signals straight into a store, 1,000 per acceptSignals.
  const valid = text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => {
      try {
        const s = JSON.parse(l) as Signal;
        return Number.isNaN(Date.parse(s.occurredAt)) ? [] : [s];
      } catch {
        return [];
      }
    });
  const store = await openStore(join(dir, 'baseline.db'));
  let started = performance.now();
  for (let i = 0; i < valid.length; i += 1_000) {
    await store.acceptSignals({
      tenant: 'acme',
      webhookId: `bench-${i}`,
      signals: valid.slice(i, i + 1_000),
      receivedAt: new Date(),
      answer: () => ({ status: 202, body: {} }),
    });
  }
  const baselineMs = performance.now() - started;
  await store.close();

  const env = { GRIDSYNC_DATABASE_URL: join(dir, 'import.db'), GRIDSYNC_MAPPINGS_DIR: 'mappings' };
  const run = async (what: string) => {
    started = performance.now();
    const result = await runGridsync(['signals', 'import', file, '--tenant', 'acme', '--json'], env, {
      timeoutMs: 600_000,
    });
    const ms = performance.now() - started;
    const report = JSON.parse(result.stdout) as {
      accepted: number;
      duplicates: number;
      refused: unknown[];
      linesPerSecond: number;
    };
    console.log(
      `${what.padEnd(28)} exit ${result.status}: ${report.accepted.toLocaleString('en')} stored, ${report.duplicates.toLocaleString('en')} already stored, ${report.refused.length} refused; ${rate(lines, ms)} lines with the process start (${Math.round(report.linesPerSecond).toLocaleString('en')}/s as the command reports it)`,
    );
    return ms;
  };
  console.log(`${lines.toLocaleString('en')} NDJSON lines, ${valid.length.toLocaleString('en')} valid`);
  console.log(`${'baseline acceptSignals'.padEnd(28)} ${rate(valid.length, baselineMs)} signals`);
  const firstMs = await run('signals import');
  const againMs = await run('signals import, again');
  console.log(
    `ratios to the baseline (time): import ${(firstMs / baselineMs).toFixed(2)}x, again ${(againMs / baselineMs).toFixed(2)}x`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
