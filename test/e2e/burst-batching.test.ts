/**
 * Issue 8, item 3: grids that arrive together go out together. Grids are POSTed concurrently over HTTP to a
 * running gridsync while its worker runs; the CRM stand-ins count the batch write calls. An isolated grid still
 * reaches the CRM within 2 s of its 202.
 */
import { describe, expect, it } from 'vitest';

import { startHarness } from '../support/gridsync-harness.ts';
import { startSalesforceHarness } from '../support/salesforce-harness.ts';
import { ledgerlineGrid } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);
const startSalesforcePerTest = closedAfterEach(startSalesforceHarness);

const grids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ledgerlineGrid({ gridId: `${prefix}-${String(i).padStart(4, '0')}` }));

async function postAll(h: { postGrid(grid: unknown): Promise<Response> }, batch: unknown[]): Promise<void> {
  const answers = await Promise.all(batch.map((grid) => h.postGrid(grid)));
  expect(answers.map((a) => a.status)).toEqual(batch.map(() => 202));
}

describe('a burst of grids', () => {
  it('250 grids posted at once reach HubSpot in at most 3 batch upserts, all present', async () => {
    const harness = await startHarnessPerTest({ fake: { requestsPerWindow: 1_000 } });
    const burst = grids('burst-hs', 250);
    await postAll(harness, burst);
    await harness.settle();
    const upserts = harness.fake.callCount(/\/p_sales_grid\/batch\/upsert$/);
    const ids = harness.fake.store.records('p_sales_grid').map((r) => r.properties['gridsync_grid_id']);
    expect(new Set(ids)).toEqual(new Set(burst.map((g) => g.gridId)));
    expect(upserts).toBeLessThanOrEqual(3); // ceil(250 / 100) × 1.05
  }, 60_000);

  it('500 grids posted at once reach Salesforce in at most 3 collection upserts, all present', async () => {
    const sf = await startSalesforcePerTest();
    const burst = grids('burst-sf', 500);
    await postAll(sf, burst);
    await sf.settle();
    const upserts = sf.fake.requests.filter((r) =>
      r.route.startsWith('PATCH /composite/sobjects/Sales_Grid__c/Grid_Id__c'),
    );
    const ids = sf.fake.org.records('Sales_Grid__c').map((r) => r.values['Grid_Id__c']);
    expect(new Set(ids)).toEqual(new Set(burst.map((g) => g.gridId)));
    expect(upserts.length).toBeLessThanOrEqual(3); // ceil(500 / 200) × 1.05
  }, 90_000);

  it('an isolated grid reaches HubSpot within 2 s of its 202 (median of 20)', async () => {
    const h = await startHarnessPerTest();
    const latencies: number[] = [];
    for (const grid of grids('alone', 20)) {
      const answer = await h.postGrid(grid);
      const acceptedAt = performance.now();
      expect(answer.status).toBe(202);
      await expect
        .poll(
          () =>
            h.fake.store
              .records('p_sales_grid')
              .some((r) => r.properties['gridsync_grid_id'] === grid.gridId),
          {
            interval: 5,
            timeout: 5_000,
          },
        )
        .toBe(true);
      latencies.push(performance.now() - acceptedAt);
    }
    latencies.sort((a, b) => a - b);
    const median = (latencies[9]! + latencies[10]!) / 2;
    expect(median).toBeLessThan(2_000);
  }, 60_000);
});
