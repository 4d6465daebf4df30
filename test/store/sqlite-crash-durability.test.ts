/**
 * A delivery acknowledged by the SQLite store survives the process being killed with SIGKILL right after:
 * the store never relies on a clean close (no checkpoint, no flush at exit) for what it committed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

const CHILD = `
import { openStore } from ${JSON.stringify(new URL('../../src/store/open-store.ts', import.meta.url).href)};
const store = await openStore(process.argv[1]);
const grid = { gridId: 'grid-killed', submittedBy: 'devrel@vendor.example', capturedAt: '2026-11-20T16:05:00Z',
  account: { domain: 'ledgerline.example' } };
await store.acceptGrid({ tenant: 'acme', webhookId: 'wh-killed', grid, completeness: { complete: false, gaps: [] },
  receivedAt: new Date(), answer: (result) => ({ status: 202, body: result }) });
process.stdout.write('acknowledged\\n');
setInterval(() => {}, 1_000); // stay alive, store open, until killed
`;

let folder: string | undefined;
let reopened: Store | undefined;
afterEach(async () => {
  await reopened?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

it('keeps a grid acknowledged just before the process was killed with SIGKILL', async () => {
  folder = mkdtempSync(join(tmpdir(), 'gridsync-crash-'));
  const path = join(folder, 'gridsync.db');
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('acknowledged')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before acknowledging`)));
  });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  reopened = await openStore(path);
  expect(await reopened.getGrid('acme', 'grid-killed')).toMatchObject({ version: 1 });
  expect(await reopened.getJobs('acme', 'grid.sync:acme:grid-killed')).toMatchObject([{ state: 'pending' }]);
});
