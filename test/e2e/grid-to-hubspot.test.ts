/**
 * Issue 4's acceptance, end to end: signed POST → store → worker → HubSpot stand-in over HTTP.
 */
import { describe, expect, it } from 'vitest';

import type { GridSyncState } from '../../src/domain/sync-state.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const UPSERT = 'POST /crm/objects/2026-03/p_sales_grid/batch/upsert';
const WRITES =
  /^POST \/crm\/(objects\/2026-03\/[^/]+\/batch\/(upsert|update|create)|associations\/2026-03\/.*|objects\/2026-03\/tasks)$/;

const startHarnessPerTest = closedAfterEach(startHarness);

function syncOf(status: Record<string, unknown>): GridSyncState {
  return status['sync'] as GridSyncState;
}

describe('a submitted grid reaches HubSpot', () => {
  it('becomes a custom-object record with the mapped properties, associated with its deal, company and contact; the deal carries the grid', async () => {
    const harness = await startHarnessPerTest();
    const { companyId, contactId, dealId } = seedLedgerline(harness.fake);
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });

    const accepted = await harness.postGrid(grid);
    expect(accepted.status).toBe(202);
    await harness.settle();

    const [record] = harness.fake.store.records('p_sales_grid');
    expect(record?.properties).toMatchObject({
      gridsync_grid_id: grid.gridId,
      gridsync_before_scenario: grid.beforeScenario,
      gridsync_positive_outcomes_personal: grid.positiveOutcomes.personal,
      gridsync_grid_status: 'complete',
      gridsync_title: 'Ledgerline · API World',
    });
    const links = harness.fake.store.associations.filter(
      (a) => a.fromType === 'p_sales_grid' && a.fromId === record?.id,
    );
    expect(links.map((l) => [l.toType, l.toId]).sort()).toEqual(
      [
        ['companies', companyId],
        ['contacts', contactId],
        ['deals', dealId],
      ].sort(),
    );
    const deal = harness.fake.store.get('deals', dealId);
    expect(deal?.properties['gridsync_grid_summary']).toContain(grid.requiredCapabilities);
    expect(deal?.properties['gridsync_grid_status']).toBe('complete');
    expect(
      harness.fake.store.get('contacts', contactId)?.properties['gridsync_last_devrel_conversation'],
    ).toContain('API World');

    const sync = syncOf(await harness.status(grid.gridId));
    expect(sync.mode).toBe('live');
    expect(sync.targets.gridRecord).toMatchObject({ state: 'synced', crmId: record?.id });
    expect(sync.targets.deal).toMatchObject({ state: 'synced', crmId: dealId });
    expect(sync.targets.company).toMatchObject({ state: 'synced', crmId: companyId });
    expect(sync.unresolved).toEqual([]);
  });

  it('reports what it cannot find in the CRM instead of guessing', async () => {
    const harness = await startHarnessPerTest();
    const grid = ledgerlineGrid({ deal: { crmId: '424242' } });
    await harness.postGrid(grid);
    await harness.settle();
    const sync = syncOf(await harness.status(grid.gridId));
    expect(sync.unresolved).toEqual([
      'no company with domain "ledgerline.example"',
      'no contact with email "maya@ledgerline.example"',
      'deal 424242 not found',
    ]);
    expect(sync.targets.gridRecord.state).toBe('synced');
  });

  it('writes 250 pending grids with 3 upsert calls, and a re-sync without changes makes no write call', async () => {
    const harness = await startHarnessPerTest({ startWorker: false });
    const { dealId } = seedLedgerline(harness.fake);
    const grids = Array.from({ length: 250 }, (_, i) =>
      ledgerlineGrid({ gridId: `grid-bulk-${i}`, deal: { crmId: dealId } }),
    );
    for (let i = 0; i < grids.length; i += 25) {
      const answers = await Promise.all(grids.slice(i, i + 25).map((grid) => harness.postGrid(grid)));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    }

    harness.gridsync.runner.start();
    await harness.settle();
    expect(harness.fake.callCount(UPSERT)).toBe(3);
    expect(harness.fake.store.records('p_sales_grid')).toHaveLength(250);

    const writesBefore = harness.fake.callCount(WRITES);
    await harness.gridsync.store.enqueue(
      grids.map((g) => ({
        kind: 'grid.sync' as const,
        tenant: 'acme',
        key: `grid.sync:acme:${g.gridId}`,
        payload: { gridId: g.gridId },
      })),
    );
    await harness.settle();
    expect(harness.fake.callCount(WRITES)).toBe(writesBefore);
  });

  it('waits out a 429 and then delivers the write', async () => {
    const harness = await startHarnessPerTest({
      fake: {
        uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
        requestsPerWindow: 4,
        windowMs: 1_000,
      },
    });
    seedLedgerline(harness.fake);
    const grid = ledgerlineGrid();
    await harness.postGrid(grid);
    await harness.settle();
    expect(harness.fake.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(harness.fake.store.records('p_sales_grid')).toHaveLength(1);
    expect(syncOf(await harness.status(grid.gridId)).targets.gridRecord.state).toBe('synced');
  });

  it('rides out a stretch of 503s with growing waits, then delivers everything', async () => {
    const harness = await startHarnessPerTest();
    seedLedgerline(harness.fake);
    harness.fake.failFor(2_000, 503);
    const grid = ledgerlineGrid();
    await harness.postGrid(grid);
    // The worker keeps retrying with backoff until the outage ends; poll the status meanwhile.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && harness.fake.store.records('p_sales_grid').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(harness.fake.store.records('p_sales_grid')).toHaveLength(1);
    const failed = harness.fake.requests.filter((r) => r.status === 503).map((r) => r.at);
    expect(failed.length).toBeGreaterThan(3);
    const gaps = failed.slice(1).map((at, i) => at - (failed[i] ?? at));
    expect(Math.max(...gaps)).toBeGreaterThan(Math.min(...gaps) * 2);
    await harness.settle();
    expect(syncOf(await harness.status(grid.gridId)).targets.gridRecord.state).toBe('synced');
  });

  it('fails one record HubSpot rejects alone, naming the mapping line, while its batch-mates are delivered', async () => {
    const harness = await startHarnessPerTest({ startWorker: false });
    seedLedgerline(harness.fake);
    harness.fake.rejectValue('p_sales_grid', 'gridsync_event', 'Rejected Summit');
    const good = Array.from({ length: 5 }, (_, i) => ledgerlineGrid({ gridId: `grid-good-${i}` }));
    const bad = ledgerlineGrid({ gridId: 'grid-bad', context: { event: 'Rejected Summit' } });
    for (const grid of [...good, bad]) await harness.postGrid(grid);
    harness.gridsync.runner.start();
    await harness.settle();

    expect(
      harness.fake.store
        .records('p_sales_grid')
        .map((r) => r.properties['gridsync_grid_id'])
        .sort(),
    ).toEqual(good.map((g) => g.gridId).sort());
    const failed = syncOf(await harness.status('grid-bad')).targets.gridRecord;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/acme\.yaml:\d+:\d+ grid\.fields\.gridsync_event/);
  });
});

describe('a HubSpot outage longer than the attempts allow', () => {
  it("does not use up the grid's attempts: it waits, shows why, and is delivered when HubSpot is back", async () => {
    const h = await startHarnessPerTest({
      mapping: [[['sync', 'maxAttempts'], 2]],
      runner: { retrySchedule: { baseMs: 20, capMs: 50 }, breaker: { baseMs: 20, capMs: 50 } },
    });
    seedLedgerline(h.fake);
    h.fake.failFor(60_000, 503);
    const grid = ledgerlineGrid();
    await h.postGrid(grid);
    await expect
      .poll(() => h.fake.callCount(/\/batch\/upsert$|\/search$|\/batch\/read$/), { timeout: 10_000 })
      .toBeGreaterThan(6);
    const waiting = syncOf(await h.status(grid.gridId));
    expect(waiting?.deadLetter).toBeUndefined();
    expect(waiting?.retrying?.error).toMatch(/503|unavailable/i);
    const [job] = await h.gridsync.store.getJobs('acme', `grid.sync:acme:${grid.gridId}`);
    expect(job?.state).not.toBe('dead');
    expect(job?.lastError).toMatch(/no attempt is counted/);

    h.fake.failFor(0);
    await expect
      .poll(async () => (await h.status(grid.gridId))['sync'], { timeout: 10_000 })
      .toMatchObject({ state: 'synced' });
    expect(h.fake.store.records('p_sales_grid')).toHaveLength(1);
  });
});

describe('signals for an account', () => {
  it('write intent and qualification to the company once, and nothing when they bring no change', async () => {
    const harness = await startHarnessPerTest();
    const { companyId } = seedLedgerline(harness.fake);
    await harness.postSignals([
      {
        id: 's-1',
        type: 'website.pricing_view',
        account: { domain: 'ledgerline.example' },
        occurredAt: new Date().toISOString(),
      },
    ]);
    await harness.settle();
    const company = harness.fake.store.get('companies', companyId)?.properties;
    expect(company).toMatchObject({
      gridsync_intent_level: 'Low',
      gridsync_pqa_status: 'Not yet qualified',
      gridsync_source: 'gridsync',
    });
    expect(Number(company?.['gridsync_intent_score'])).toBeGreaterThan(0);

    const updates = harness.fake.callCount('POST /crm/objects/2026-03/companies/batch/update');
    await harness.gridsync.store.enqueue([
      {
        kind: 'account.refresh',
        tenant: 'acme',
        key: 'account.refresh:acme:ledgerline.example',
        payload: { accountDomain: 'ledgerline.example' },
      },
    ]);
    await harness.settle();
    expect(harness.fake.callCount('POST /crm/objects/2026-03/companies/batch/update')).toBe(updates);
  });
});
