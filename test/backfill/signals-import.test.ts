/**
 * `gridsync signals import`: a signal history backfilled through the webhook's validation and storage.
 * The acceptance run is the (100,000 NDJSON lines of which 100 are bad; here 20,000 and 20, the full
 * size is bench/signals-import.ts), imported by the CLI in its own process (plain counts, as stderr is not a
 * terminal), then imported again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { importSignals } from '../../src/intake/backfill/import-signals.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { REPO_ROOT, runGridsync } from '../support/run-gridsync.ts';
import { signalHistory, signalLine } from '../support/signal-history.ts';

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-import-'));
  env = { GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'), GRIDSYNC_MAPPINGS_DIR: 'mappings' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runScript(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', args, { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(output));
  });
}

async function countSignals(store: Store, tenant: string, domains: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < domains; i += 1) {
    total += (await store.listAccountSignals(tenant, `account-${i}.example`, new Date(0))).length;
  }
  return total;
}

describe('gridsync signals import', () => {
  // The file has 100,000 lines (bench/signals-import.ts runs it and prints the throughput); a fifth of
  // it, with the same mix, keeps the suite fast and exercises the same batches, progress and refusals.
  it('imports 20,000 NDJSON lines: 19,980 stored, 20 refused with their line numbers; again: 0 new', async () => {
    const file = join(dir, 'history.ndjson');
    writeFileSync(file, signalHistory(20_000));

    const first = await runGridsync(['signals', 'import', file, '--tenant', 'acme'], env, {
      timeoutMs: 240_000,
    });
    expect(first.status, first.stderr).toBe(1); // some lines were refused
    expect(first.stdout).toMatch(/history\.ndjson: 20,000 lines in [\d.]+ s \([\d,]+ lines\/s\)\n/);
    expect(first.stdout).toContain('  19,980 stored\n');
    expect(first.stdout).toContain('  0 already stored (skipped by signal id)\n');
    expect(first.stdout).toContain('  20 refused:\n');
    const refused = [...first.stdout.matchAll(/^ {4}line (\d+): (.*)$/gm)];
    expect(refused.map((m) => Number(m[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i * 1000 + 500));
    expect(refused[0]?.[2]).toMatch(/^not valid JSON/);
    expect(refused[1]?.[2]).toBe('/occurredAt: Invalid ISO datetime');
    // Progress on a non-terminal: plain counts.
    expect(first.stderr).toMatch(/^10,000 lines: [\d,]+ stored, 0 already stored, 10 refused$/m);
    expect(first.stderr.trim().split('\n').at(-1)).toBe(
      '20,000 lines: 19,980 stored, 0 already stored, 20 refused',
    );

    const again = await runGridsync(['signals', 'import', file, '--tenant', 'acme', '--json'], env, {
      timeoutMs: 240_000,
    });
    const report = JSON.parse(again.stdout) as { accepted: number; duplicates: number; refused: unknown[] };
    expect(report).toMatchObject({ accepted: 0, duplicates: 19_980 });
    expect(report.refused).toHaveLength(20);

    const store = await openStore(env['GRIDSYNC_DATABASE_URL']!);
    try {
      expect(await countSignals(store, 'acme', 400)).toBe(19_980);
      // The same storage as the webhook: each account is queued for re-scoring, once.
      const refreshes = (await store.jobStats()).find(
        (s) => s.kind === 'account.refresh' && s.state === 'pending',
      );
      expect(refreshes?.count).toBe(400);
    } finally {
      await store.close();
    }
  }, 300_000);

  it('shows a progress bar when run on a terminal', async () => {
    const now = Date.now();
    const file = join(dir, 'small.ndjson');
    writeFileSync(file, Array.from({ length: 3_000 }, (_, i) => signalLine(i + 1, now)).join('\n'));
    // script(1) gives the command a pseudo-terminal, as an operator's shell would.
    const command = `${process.execPath} src/cli.ts signals import ${file} --tenant acme`;
    const run = await runScript(['-qec', command, '/dev/null'], env);
    expect(run).toMatch(/importing \[[█░]+\] 100% \| 3,000 lines: 2,997 stored, 0 already stored, 3 refused/);
    expect(run).toContain('  2,997 stored');
  }, 60_000);

  it('reads CSV with a header, and lines naming their own tenant; refuses unknown tenants and columns', async () => {
    const store = await openStore(join(dir, 'direct.db'));
    try {
      const csv = join(dir, 'history.csv');
      writeFileSync(
        csv,
        [
          'id,type,account.domain,occurredAt,value,contact.email,source,attributes,tenant',
          `c1,docs.page_view,ledgerline.example,2026-11-20T10:00:00Z,3,maya@ledgerline.example,docs,"{""page"": ""/webhooks""}",acme`,
          'c2,website.pricing_view,ledgerline.example,2026-11-20T11:00:00Z,,,website,,globex',
          'c3,website.pricing_view,ledgerline.example,2026-11-20T11:00:00Z,,,website,,initech',
          'c4,Bad Type,ledgerline.example,2026-11-20T11:00:00Z,lots,,website,,acme',
          '"c5,unterminated',
        ].join('\r\n'),
      );
      const known = new Set(['acme', 'globex']);
      const report = await importSignals({
        store,
        file: csv,
        format: 'csv',
        tenants: (t) => (known.has(t) ? { maxAttempts: 3 } : undefined),
      });
      expect(report).toMatchObject({ lines: 5, accepted: 2, duplicates: 0 });
      expect(report.refused).toEqual([
        { line: 4, reason: '/tenant: no valid mapping is loaded for "initech"' },
        { line: 5, reason: expect.stringMatching(/^\/type: .*; \/value: /) as string },
        { line: 6, reason: 'a quoted field is not closed' },
      ]);
      const [signal] = await store.listAccountSignals('acme', 'ledgerline.example', new Date(0));
      expect(signal).toEqual({
        id: 'c1',
        type: 'docs.page_view',
        account: { domain: 'ledgerline.example' },
        occurredAt: '2026-11-20T10:00:00Z',
        value: 3,
        contact: { email: 'maya@ledgerline.example' },
        source: 'docs',
        attributes: { page: '/webhooks' },
      });
      expect(await store.listAccountSignals('globex', 'ledgerline.example', new Date(0))).toHaveLength(1);

      writeFileSync(join(dir, 'wrong.csv'), 'id,kind\nx,y\n');
      const wrong = await runGridsync(['signals', 'import', join(dir, 'wrong.csv'), '--tenant', 'acme'], env);
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toMatch(/wrong\.csv:1: the CSV header names an unknown column "kind"/);
    } finally {
      await store.close();
    }
  }, 60_000);
});
