/**
 * Several replicas on one PostgreSQL store share the work: every grid is written once, every qualifying grid
 * gets one task, and a cron tick seen by every replica becomes one scheduled sync.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/open-store.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { startHarness, type Harness } from '../support/gridsync-harness.ts';
import { dropSchema, TEST_DATABASE_URL_HINT, testDatabaseUrl } from '../support/temp-store.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

const url = testDatabaseUrl();
const schema = `gs_replicas_${randomBytes(4).toString('hex')}`;

describe.skipIf(url === undefined)('two replicas on PostgreSQL', () => {
  let fake: HubSpotFake;
  let replicas: Harness[] = [];

  beforeAll(async () => {
    // The portal's limits are not what this test is about: each replica has its own request budget, so a
    // shared portal limit would only slow the test down (rate limits are covered in grid-to-hubspot.test.ts).
    fake = await HubSpotFake.start({
      uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
      requestsPerWindow: 10_000,
      searchPerSecond: 1_000,
    });
    for (let i = 0; i < 2; i++) {
      const store = await openStore(url!, { schema });
      replicas.push(await startHarness({ fakeInstance: fake, store, startWorker: false }));
    }
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    replicas = [];
    await fake.close();
    await dropSchema(url!, schema);
  });

  it('writes each grid once and creates one task per qualifying grid, with both replicas working', async () => {
    const [a, b] = replicas as [Harness, Harness];
    const { dealId } = seedLedgerline(fake);
    expect((await b.postSignals(qualifyingSignals())).status).toBe(202);
    const grids = Array.from({ length: 40 }, (_, i) =>
      ledgerlineGrid({ gridId: `grid-replica-${i}`, deal: { crmId: dealId } }),
    );
    for (const [i, grid] of grids.entries()) expect((await (i % 2 ? a : b).postGrid(grid)).status).toBe(202);

    a.gridsync.runner.start();
    b.gridsync.runner.start();
    // Each replica's drain only knows its own claims: wait for the shared outcome instead.
    const deadline = Date.now() + 15_000;
    while (fake.store.records('tasks').length < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (process.env['E2E_DEBUG']) {
      console.log(
        'tasks',
        fake.store.records('tasks').length,
        'upserts',
        fake.callCount('POST /crm/objects/2026-03/p_sales_grid/batch/upsert'),
      );
      console.log(
        JSON.stringify(
          fake.requests
            .map((r) => [r.route.slice(0, 60), r.status])
            .filter((r) => r[1] !== 200 && r[1] !== 201 && r[1] !== 207),
        ),
      );
      for (const grid of grids.slice(0, 40)) {
        const st = await a.status(grid.gridId);
        const jobs = await a.gridsync.store.getJobs('acme', `grid.sync:acme:${grid.gridId}`);
        if ((st['task'] as { state?: string } | undefined)?.state !== 'created') {
          console.log(
            grid.gridId,
            JSON.stringify({
              task: st['task'],
              sync: st['sync'],
              jobs: jobs.map((j) => [j.state, j.attempts, j.lastError, j.runAt]),
            }).slice(0, 1500),
          );
        }
      }
    }
    await Promise.all([a.settle(), b.settle()]);

    const records = fake.store.records('p_sales_grid');
    expect(records).toHaveLength(40);
    expect(new Set(records.map((r) => r.properties['gridsync_grid_id'])).size).toBe(40);
    expect(fake.store.records('tasks')).toHaveLength(40);
    expect(
      fake.requests.filter((r) => r.route === 'POST /crm/objects/2026-03/p_sales_grid/batch/upsert').length,
    ).toBeLessThanOrEqual(4);
    // Each grid's task was sent once, in whichever replica's batch create.
    const sent = fake
      .bodiesOf('POST /crm/objects/2026-03/tasks/batch/create')
      .flatMap((b) =>
        (b as { inputs: { objectWriteTraceId: string }[] }).inputs.map((i) => i.objectWriteTraceId),
      );
    expect(sent).toHaveLength(40);
    expect(new Set(sent).size).toBe(40);
  });

  it('turns one cron tick seen by both replicas into one scheduled sync job', async () => {
    const [a, b] = replicas as [Harness, Harness];
    const at = new Date('2026-11-22T10:00:05Z');
    await Promise.all([
      a.gridsync.scheduler.tick('acme', at),
      b.gridsync.scheduler.tick('acme', new Date('2026-11-22T10:00:40Z')),
    ]);
    const jobs = await a.gridsync.store.getJobs('acme', 'tenant.sync:acme:2026-11-22T10:00:00.000Z');
    expect(jobs).toHaveLength(1);
  });
});

describe.skipIf(url !== undefined)('two replicas on PostgreSQL (skipped)', () => {
  it.skip(`needs PostgreSQL: ${TEST_DATABASE_URL_HINT}`, () => {});
});
