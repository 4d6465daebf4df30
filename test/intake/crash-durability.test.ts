/**
 * Issue 3's acceptance: a grid answered 202, then the process killed with SIGKILL (no shutdown, no flush):
 * after a restart the grid is in the store and its sync job is waiting for the worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/open-store.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid } from '../support/example-payloads.ts';

const SERVER = join(import.meta.dirname, 'serve-intake-process.ts');

let child: ChildProcess | undefined;
let folder: string | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function startServer(
  database: string,
  secret: string,
): Promise<{ url: string; process: ChildProcess }> {
  const server = spawn(process.execPath, [SERVER, database, 'acme'], {
    env: { ...process.env, GRIDSYNC_TEST_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = server;
  const lines = createInterface({ input: server.stdout });
  for await (const line of lines) {
    const { url } = JSON.parse(line) as { url: string };
    return { url, process: server };
  }
  throw new Error('the intake process exited before listening');
}

describe('durability of an accepted grid', () => {
  it('keeps a grid answered 202 through a SIGKILL, with its sync job pending', async () => {
    folder = mkdtempSync(join(tmpdir(), 'gridsync-crash-'));
    const database = join(folder, 'gridsync.db');
    const secret = randomWebhookSecret();
    const server = await startServer(database, secret);

    const signed = signRequest({ secret, body: ledgerlineGrid() });
    const response = await fetch(`${server.url}/v1/tenants/acme/grids`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.payload,
    });
    expect(response.status).toBe(202);

    const exited = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGKILL');
    await exited;

    const store = await openStore(database);
    try {
      const gridId = ledgerlineGrid().gridId;
      expect((await store.getGrid('acme', gridId))?.version).toBe(1);
      const jobs = await store.getJobs('acme', `grid.sync:acme:${gridId}`);
      expect(jobs.map((job) => [job.kind, job.state])).toEqual([['grid.sync', 'pending']]);
    } finally {
      await store.close();
    }
  });
});
