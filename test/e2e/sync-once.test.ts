/**
 * `gridsync sync --tenant acme --once`: the operator's "sync now", run in its own process against the HubSpot
 * stand-in; exit 0 when everything went through, 1 with the reason when the CRM is down. Without --once the
 * sync is queued for a running worker.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/open-store.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { FAKE_TOKEN, startHarness, type Harness } from '../support/gridsync-harness.ts';
import { runGridsync } from '../support/run-gridsync.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

let harness: Harness | undefined;
let fake: HubSpotFake | undefined;
afterEach(async () => {
  await harness?.close();
  await fake?.close().catch(() => undefined);
  harness = undefined;
  fake = undefined;
});

/** Grids and signals accepted by the intake while no worker runs: the queue holds the work. */
async function acceptWithoutWorker(): Promise<{ env: Record<string, string>; dealId: string }> {
  fake = await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] } });
  const { dealId } = seedLedgerline(fake);
  harness = await startHarness({ fakeInstance: fake, startWorker: false });
  expect((await harness.postSignals(qualifyingSignals())).status).toBe(202);
  expect((await harness.postGrid(ledgerlineGrid({ deal: { crmId: dealId } }))).status).toBe(202);
  const env = {
    GRIDSYNC_DATABASE_URL: harness.dbPath,
    GRIDSYNC_MAPPINGS_DIR: join(harness.dir, 'mappings'),
    ACME_WEBHOOK_SECRET: harness.secret,
    ACME_STATUS_TOKEN: harness.statusToken,
    ACME_HUBSPOT_TOKEN: FAKE_TOKEN,
  };
  return { env, dealId };
}

describe('gridsync sync', () => {
  it('--once syncs the tenant against the CRM in its own process and exits 0', async () => {
    const { env } = await acceptWithoutWorker();
    const run = await runGridsync(['sync', '--tenant', 'acme', '--once'], env);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^acme: \d+ account\(s\) refreshed, 1 grid\(s\) synced\n$/);
    expect(fake!.store.records('p_sales_grid')).toHaveLength(1);
    expect(fake!.store.records('tasks')).toHaveLength(1);
    const status = await harness!.status('grid-2026-11-20-ledgerline-maya');
    expect((status['sync'] as { state: string }).state).toBe('synced');

    // A second run finds nothing new to write and creates no second task.
    const writesBefore = fake!.requests.filter((r) => r.route.includes('batch/upsert')).length;
    const again = await runGridsync(['sync', '--tenant', 'acme', '--once', '--json'], env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ tenant: 'acme', mode: 'live', failures: [] });
    expect(fake!.requests.filter((r) => r.route.includes('batch/upsert')).length).toBe(writesBefore);
    expect(fake!.store.records('tasks')).toHaveLength(1);
  }, 60_000);

  it('--once exits 1 with the reason when the CRM is down', async () => {
    const { env } = await acceptWithoutWorker();
    fake!.failFor(120_000, 503);
    const run = await runGridsync(['sync', '--tenant', 'acme', '--once'], env, { timeoutMs: 90_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/did not sync:\n {2}(account|grid) \S+ \(temporary\): .*503/);
    expect(run.stdout).toMatch(/^acme: \d+ account\(s\) refreshed, 0 of 1 grid\(s\) synced\n/);
    expect(fake!.store.records('p_sales_grid')).toHaveLength(0);
  }, 120_000);

  it('without --once queues a tenant.sync job for a running worker; an unknown tenant exits 2', async () => {
    const { env } = await acceptWithoutWorker();
    const run = await runGridsync(['sync', '--tenant', 'acme'], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/queued a sync of acme/);
    const store = await openStore(env['GRIDSYNC_DATABASE_URL']!);
    try {
      const stats = await store.jobStats();
      expect(stats.find((s) => s.kind === 'tenant.sync' && s.state === 'pending')?.count).toBe(1);
    } finally {
      await store.close();
    }
    const unknown = await runGridsync(['sync', '--tenant', 'initech'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no valid mapping for tenant "initech"/);
    const usage = await runGridsync(['sync'], env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--tenant is required/);
    const help = await runGridsync(['sync', '--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: gridsync sync/);
  }, 60_000);
});
