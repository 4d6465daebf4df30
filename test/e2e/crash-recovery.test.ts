/**
 * Crashes for real: gridsync runs as a child process and is killed with SIGKILL at the worst moments.
 * Nothing acknowledged may be lost, and nothing may be done twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { taskMarker } from '../../src/ae-task/task-marker.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import {
  type ChildGridsync,
  gridJobStates,
  startChildGridsync,
  stopTimed,
} from '../support/child-gridsync.ts';
import { FAKE_TOKEN, writeTenantMapping } from '../support/gridsync-harness.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

const secret = randomWebhookSecret();
const TASK_BATCH = 'POST /crm/objects/2026-03/tasks/batch/create';
const statusToken = 'crash-status-token';
let dir: string;
let fake: HubSpotFake;
let children: ChildGridsync[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-crash-'));
  fake = await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] } });
  writeTenantMapping(dir, fake.url);
});

afterEach(async () => {
  for (const child of children) await child.kill();
  children = [];
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<ChildGridsync> {
  const child = await startChildGridsync({
    ...env,
    GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
    GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
    GRIDSYNC_LEASE_SECONDS: '5',
    ACME_WEBHOOK_SECRET: secret,
    ACME_STATUS_TOKEN: statusToken,
    ACME_HUBSPOT_TOKEN: FAKE_TOKEN,
  });
  children.push(child);
  return child;
}

async function post(child: ChildGridsync, path: string, body: unknown): Promise<Response> {
  const signed = signRequest({ secret, body });
  return fetch(`${child.url}/v1/tenants/acme/${path}`, {
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body: signed.payload,
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('crash recovery', () => {
  it('keeps a grid acknowledged with 202 through a SIGKILL, and processes it after the restart', async () => {
    seedLedgerline(fake);
    fake.failFor(10 * 60_000, 503); // the first process must not get the grid out before it dies
    const first = await start();
    const grid = ledgerlineGrid();
    expect((await post(first, 'grids', grid)).status).toBe(202);
    await first.kill('SIGKILL');
    expect(fake.store.records('p_sales_grid')).toHaveLength(0);

    fake.failFor(0);
    const second = await start();
    await waitFor(async () => {
      const status = await fetch(`${second.url}/v1/tenants/acme/grids/${grid.gridId}`, {
        headers: { authorization: `Bearer ${statusToken}` },
      });
      const body = (await status.json()) as { sync?: { targets?: { gridRecord?: { state?: string } } } };
      return body.sync?.targets?.gridRecord?.state === 'synced';
    });
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);
  });

  it('creates exactly one AE task when killed between the CRM creating it and gridsync recording it', async () => {
    const { dealId } = seedLedgerline(fake);
    let first: ChildGridsync | undefined;
    // Kill the worker the moment HubSpot has created the task, before its answer can be read and recorded.
    const push = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...requests) => {
      if (requests.some((r) => r.route === TASK_BATCH) && first) {
        fake.setLatency(1_000);
        first.process.kill('SIGKILL');
      }
      return push(...requests);
    };
    const running = await start();
    first = running;
    expect((await post(running, 'signals', { signals: qualifyingSignals() })).status).toBe(202);
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    expect((await post(running, 'grids', grid)).status).toBe(202);
    await waitFor(() => running.process.exitCode !== null || running.process.signalCode !== null);
    expect(fake.store.records('tasks')).toHaveLength(1);

    fake.setLatency(0);
    first = undefined;
    const second = await start();
    await waitFor(async () => {
      const response = await fetch(`${second.url}/v1/tenants/acme/grids/${grid.gridId}`, {
        headers: { authorization: `Bearer ${statusToken}` },
      });
      const body = (await response.json()) as { task?: { state?: string } };
      return body.task?.state === 'created';
    });
    expect(fake.store.records('tasks')).toHaveLength(1);
    expect(fake.callCount(TASK_BATCH)).toBe(1);
  }, 60_000); // two child processes, each starting gridsync: slow on a loaded machine

  it('creates exactly one AE task per grid when killed during a batch create of many', async () => {
    seedLedgerline(fake);
    const grids = Array.from({ length: 150 }, (_, i) => {
      const dealId = fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '500' });
      return ledgerlineGrid({ gridId: `crash-${String(i).padStart(3, '0')}`, deal: { crmId: dealId } });
    });
    let first: ChildGridsync | undefined;
    let killedBatch: string[] = [];
    // Kill the worker the moment HubSpot has created the first batch of tasks, before its answer is read.
    const push = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...requests) => {
      const batch = requests.find((r) => r.route === TASK_BATCH);
      if (batch && first) {
        killedBatch = (batch.body as { inputs: { objectWriteTraceId: string }[] }).inputs.map(
          (i) => i.objectWriteTraceId,
        );
        fake.setLatency(1_000);
        first.process.kill('SIGKILL');
        first = undefined;
      }
      return push(...requests);
    };
    const running = await start();
    first = running;
    // Every grid is accepted before the account qualifies, so the kill (at the first task batch) cannot cut a
    // submission short: the tasks come only once the signals make the account qualify.
    const answers = await Promise.all(grids.map((grid) => post(running, 'grids', grid)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect((await post(running, 'signals', { signals: qualifyingSignals() })).status).toBe(202);
    await waitFor(() => running.process.exitCode !== null || running.process.signalCode !== null);
    expect(killedBatch.length).toBeGreaterThan(1);
    expect(fake.store.records('tasks')).toHaveLength(killedBatch.length);

    fake.setLatency(0);
    const second = await start();
    const created = async (gridId: string) => {
      const response = await fetch(`${second.url}/v1/tenants/acme/grids/${gridId}`, {
        headers: { authorization: `Bearer ${statusToken}` },
      });
      return ((await response.json()) as { task?: { state?: string } }).task?.state === 'created';
    };
    await waitFor(
      async () => (await Promise.all(grids.map((g) => created(g.gridId)))).every(Boolean),
      60_000,
    );

    const tasks = fake.store.records('tasks');
    expect(tasks).toHaveLength(grids.length);
    for (const grid of grids) {
      const marker = taskMarker('acme', grid.gridId);
      expect(tasks.filter((t) => t.properties['hs_task_body']?.includes(marker))).toHaveLength(1);
    }
    // The killed batch's tasks were found by their markers, never sent again.
    const sent = fake
      .bodiesOf(TASK_BATCH)
      .flatMap((b) =>
        (b as { inputs: { objectWriteTraceId: string }[] }).inputs.map((i) => i.objectWriteTraceId),
      );
    expect(sent).toHaveLength(grids.length);
    expect(new Set(sent).size).toBe(grids.length);
  }, 120_000);
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops taking work, finishes the batch in flight and exits cleanly', async () => {
    seedLedgerline(fake);
    fake.setLatency(300); // every CRM call is slow, so the sync is still running when SIGTERM arrives
    const child = await start();
    const grid = ledgerlineGrid();
    expect((await post(child, 'grids', grid)).status).toBe(202);
    // The sync's first record call (the drift watch's schema reads at start-up are not the sync).
    await waitFor(() => fake.requests.some((r) => r.route.includes('/crm/objects/')));

    const exitCode = await child.kill('SIGTERM');
    expect(exitCode).toBe(0);
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);
    expect(child.logs.some((l) => String(l['msg']).startsWith('shutting down'))).toBe(true);

    // Nothing was left half-done: a fresh process finds no work it must redo for this grid.
    expect(await gridJobStates(join(dir, 'gridsync.db'), 'acme', grid.gridId)).toEqual(['succeeded']);
  });

  it('cuts a hung CRM call short after GRIDSYNC_SHUTDOWN_GRACE_SECONDS and leaves the job for the next worker', async () => {
    seedLedgerline(fake);
    const child = await start({ GRIDSYNC_SHUTDOWN_GRACE_SECONDS: '1' });
    const grid = ledgerlineGrid();
    // The CRM stops answering (the sync's calls and the drift watch's schema reads alike): only the grace period
    // can end the batch, and the process exits only once every request is cut short.
    fake.setLatency(60_000);
    expect((await post(child, 'grids', grid)).status).toBe(202);
    await waitFor(() => fake.requests.some((r) => r.route.includes('/crm/objects/')));

    const { exitCode, seconds } = await stopTimed(child);
    expect(exitCode).toBe(0);
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(8);

    // The job was not lost and not failed for good: it waits for the next worker with its attempt counted.
    expect(await gridJobStates(join(dir, 'gridsync.db'), 'acme', grid.gridId)).toEqual(['pending']);
    fake.setLatency(0);
  }, 60_000);
});
