/**
 * Issue 9 end to end on HubSpot: grids without deal.crmId reach the AE's deal by the mapping's deal rule
 * (acme: the most recently created open deal in the default pipeline, wait while there is none), through
 * the whole of gridsync (intake, worker, scheduled runs) against the stateful HubSpot stand-in.
 */
import { describe, expect, it } from 'vitest';

import { addCompanyDeal, moveDeal } from '../fakes/hubspot-fake/fake-deals.ts';
import { documentedSyncOf as syncOf } from '../support/grid-status-schema.ts';
import { type Harness, type HarnessOptions, startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach, scheduledRuns } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);

const GRID = 'p_sales_grid';
/** The fixture grid names a deal; DevRel usually does not know it. */
const gridWithoutDeal = (overrides: Record<string, unknown> = {}) =>
  ledgerlineGrid({ deal: undefined, ...overrides });

async function start(options: HarnessOptions = {}) {
  const harness = await startHarnessPerTest(options);
  const seeded = seedLedgerline(harness.fake);
  return { h: harness, ...seeded };
}

function linkedDeals(h: Harness, gridRecordId: string | undefined): string[] {
  return h.fake.store.associations
    .filter((a) => a.fromType === GRID && a.fromId === gridRecordId && a.toType === 'deals')
    .map((a) => a.toId);
}

const scheduledRun = scheduledRuns('acme');

describe('the deal rule on HubSpot', () => {
  it('one open deal: deal fields on it, the grid linked to it, the task for its owner', async () => {
    const { h, companyId } = await start();
    const dealId = addCompanyDeal(h.fake.store, companyId, { dealname: 'Relay', hubspot_owner_id: '500' });
    await h.postSignals(qualifyingSignals());
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();

    const sync = await syncOf(h, grid.gridId);
    expect(sync.deal).toMatchObject({
      state: 'found',
      crmId: dealId,
      reason: 'the only one of the open deals of Ledgerline in pipeline default',
    });
    expect(sync.targets.deal).toMatchObject({ state: 'synced', crmId: dealId });
    expect(h.fake.store.get('deals', dealId)?.properties['gridsync_grid_summary']).toContain(
      grid.requiredCapabilities,
    );
    expect(linkedDeals(h, sync.targets.gridRecord.crmId)).toEqual([dealId]);
    const [task] = h.fake.store.records('tasks');
    expect(task?.properties['hubspot_owner_id']).toBe('500');
    expect(sync.task).toMatchObject({ state: 'created', owner: { step: 'deal_owner', id: '500' } });
  });

  it('two open deals: the most recently created wins, and the status says why', async () => {
    const { h, companyId } = await start();
    addCompanyDeal(h.fake.store, companyId, { dealname: 'Older' }, new Date('2026-10-01T00:00:00Z'));
    const newer = addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'Newer' },
      new Date('2026-11-02T00:00:00Z'),
    );
    addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'Closed', dealstage: 'closedwon' },
      new Date('2026-11-30T00:00:00Z'),
    );
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();

    expect((await syncOf(h, grid.gridId)).deal).toMatchObject({
      state: 'found',
      crmId: newer,
      name: 'Newer',
      reason:
        'the most recently created of 2 open deals of Ledgerline in pipeline default (created 2026-11-02)',
    });
  });

  it('pick: largest_amount picks by amount', async () => {
    const { h, companyId } = await start({ mapping: [[['deal', 'find', 'pick'], 'largest_amount']] });
    const big = addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'Big', amount: '90000' },
      new Date('2026-10-01T00:00:00Z'),
    );
    addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'Small', amount: '5000' },
      new Date('2026-11-02T00:00:00Z'),
    );
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();
    expect((await syncOf(h, grid.gridId)).deal).toMatchObject({
      crmId: big,
      reason: 'the largest amount (90,000) of 2 open deals of Ledgerline in pipeline default',
    });
  });

  it('no open deal, wait: the grid and company sync now; the deal the AE opens gets the fields and the task on the next scheduled run', async () => {
    const { h, companyId } = await start();
    addCompanyDeal(h.fake.store, companyId, { dealname: 'Last year', dealstage: 'closedlost' });
    await h.postSignals(qualifyingSignals());
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();

    const waiting = await syncOf(h, grid.gridId);
    expect(waiting.targets.gridRecord.state).toBe('synced');
    expect(waiting.targets.company).toMatchObject({ state: 'synced', crmId: companyId });
    expect(waiting.targets.deal).toBeUndefined();
    expect(waiting.deal).toMatchObject({
      state: 'waiting',
      reason: 'waiting for a deal of Ledgerline in pipeline default (an open stage)',
    });
    const status = await h.status(grid.gridId);
    expect(status['task']).toMatchObject({
      state: 'not_created',
      reason: expect.stringContaining('waiting for a deal of Ledgerline'),
    });
    expect(h.fake.store.records('tasks')).toHaveLength(0);

    // A scheduled run with still no deal changes nothing.
    await scheduledRun(h);
    expect(h.fake.store.records('tasks')).toHaveLength(0);

    const opened = addCompanyDeal(h.fake.store, companyId, {
      dealname: 'Relay 2027',
      hubspot_owner_id: '500',
    });
    await scheduledRun(h);

    const after = await syncOf(h, grid.gridId);
    expect(after.deal).toMatchObject({ state: 'found', crmId: opened });
    expect(h.fake.store.get('deals', opened)?.properties['gridsync_grid_status']).toBe('complete');
    expect(linkedDeals(h, after.targets.gridRecord.crmId)).toEqual([opened]);
    const tasks = h.fake.store.records('tasks');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.properties['hubspot_owner_id']).toBe('500');
  });

  it('an incomplete grid waiting for a deal gets the deal fields too once the deal exists', async () => {
    const { h, companyId } = await start();
    const grid = gridWithoutDeal({
      positiveOutcomes: { business: 'Fewer incidents, faster integrations, lower cost.' },
    });
    await h.postGrid(grid);
    await h.settle();
    expect((await syncOf(h, grid.gridId)).deal?.state).toBe('waiting');

    const opened = addCompanyDeal(h.fake.store, companyId, { dealname: 'Relay' });
    await scheduledRun(h);
    expect(h.fake.store.get('deals', opened)?.properties['gridsync_grid_status']).toBe('draft');
  });

  it("the grid's deal closes while a newer one is open: the next scheduled run moves the link and the fields", async () => {
    const { h, companyId } = await start();
    const first = addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'First' },
      new Date('2026-10-01T00:00:00Z'),
    );
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();
    expect((await syncOf(h, grid.gridId)).deal?.crmId).toBe(first);

    moveDeal(h.fake.store, first, { dealstage: 'closedlost' });
    const second = addCompanyDeal(h.fake.store, companyId, { dealname: 'Second' });
    await scheduledRun(h);

    const moved = await syncOf(h, grid.gridId);
    expect(moved.deal).toMatchObject({
      state: 'found',
      crmId: second,
      movedFrom: { crmId: first, reason: expect.stringContaining('no longer counts') },
    });
    expect(h.fake.store.get('deals', second)?.properties['gridsync_grid_summary']).toContain(
      grid.beforeScenario,
    );
    expect(linkedDeals(h, moved.targets.gridRecord.crmId)).toEqual([second]);

    // A newer deal wins over an open one too.
    const third = addCompanyDeal(
      h.fake.store,
      companyId,
      { dealname: 'Third' },
      new Date(Date.now() + 60_000),
    );
    await scheduledRun(h);
    expect((await syncOf(h, grid.gridId)).deal).toMatchObject({
      crmId: third,
      movedFrom: { crmId: second, reason: 'another deal wins by the rule now' },
    });
  });

  it('deal.crmId in the grid still wins over the rule', async () => {
    const { h, companyId, dealId } = await start();
    addCompanyDeal(h.fake.store, companyId, { dealname: 'Newest open' });
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    await h.postGrid(grid);
    await h.settle();
    const sync = await syncOf(h, grid.gridId);
    expect(sync.deal).toMatchObject({ state: 'given', crmId: dealId });
    expect(sync.targets.deal?.crmId).toBe(dealId);
  });
});

describe('deal lookups for many grids', () => {
  it('200 grids of 200 companies: the deals are read per batch, never per grid', async () => {
    const { h } = await start({ startWorker: false });
    const grids = Array.from({ length: 200 }, (_, i) => {
      const company = h.fake.addRecord('companies', { domain: `company-${i}.example`, name: `Company ${i}` });
      addCompanyDeal(h.fake.store, company, { dealname: `Deal ${i}`, hubspot_owner_id: '500' });
      return gridWithoutDeal({
        gridId: `grid-many-${i}`,
        account: { domain: `company-${i}.example`, name: `Company ${i}` },
      });
    });
    for (const grid of grids) expect((await h.postGrid(grid)).status).toBe(202);
    h.fake.requests.length = 0;
    h.gridsync.runner.start();
    await h.settle();

    const lookups = {
      associations: h.fake.callCount('POST /crm/associations/2026-03/companies/deals/batch/read'),
      dealReads: h.fake.callCount('POST /crm/objects/2026-03/deals/batch/read'),
    };
    // The 200 pending grids are claimed as one batch: one associations read for the 200 companies, and the
    // 200 deals in two batch reads of 100. Three calls in all (the limit), whatever the grid count.
    expect(lookups).toEqual({ associations: 1, dealReads: 2 });
    const synced = await Promise.all(grids.slice(0, 5).map((g) => syncOf(h, g.gridId)));
    expect(synced.every((s) => s.deal?.state === 'found')).toBe(true);
  });
});

describe('whenNone: create on HubSpot', () => {
  const createMapping: HarnessOptions['mapping'] = [
    [['deal', 'whenNone'], 'create'],
    [
      ['deal', 'create'],
      {
        pipeline: 'default',
        stage: 'appointmentscheduled',
        keyField: 'gridsync_deal_key',
        name: '{{grid.account.name}} via {{grid.context.event}}',
      },
    ],
  ];

  it('opens one deal per company, owned by the company owner, and the task goes to that owner', async () => {
    const { h } = await start({
      mapping: createMapping,
      fake: { uniqueProperties: { p_sales_grid: ['gridsync_grid_id'], deals: ['gridsync_deal_key'] } },
    });
    await h.postSignals(qualifyingSignals());
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.postGrid(gridWithoutDeal({ gridId: 'grid-second-conversation' }));
    await h.settle();
    await scheduledRun(h);

    const deals = h.fake.store.records('deals').filter((d) => d.properties['gridsync_deal_key']);
    expect(deals).toHaveLength(1);
    const [deal] = deals;
    expect(deal?.properties).toMatchObject({
      dealname: `Ledgerline via ${grid.context?.event}`,
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
      hubspot_owner_id: '501',
    });
    const sync = await syncOf(h, grid.gridId);
    expect(sync.deal).toMatchObject({ state: 'created', crmId: deal?.id });
    expect(sync.deal?.reason).toMatch(/opened by gridsync/);
    expect((await syncOf(h, 'grid-second-conversation')).deal?.crmId).toBe(deal?.id);
    expect(h.fake.callCount('POST /crm/objects/2026-03/deals/batch/create')).toBe(1);
    const tasks = h.fake.store.records('tasks');
    expect(tasks.map((t) => t.properties['hubspot_owner_id'])).toEqual(['501', '501']);
  });

  it('opens no second deal once its own is closed: the grid waits for the AE, then goes to their deal', async () => {
    const { h, companyId } = await start({
      mapping: createMapping,
      fake: { uniqueProperties: { p_sales_grid: ['gridsync_grid_id'], deals: ['gridsync_deal_key'] } },
    });
    const grid = gridWithoutDeal();
    await h.postGrid(grid);
    await h.settle();
    const own = (await syncOf(h, grid.gridId)).deal?.crmId ?? '';
    moveDeal(h.fake.store, own, { dealstage: 'closedlost' });
    await scheduledRun(h);

    const waiting = await syncOf(h, grid.gridId);
    expect(waiting.deal).toMatchObject({
      state: 'waiting',
      reason: expect.stringContaining(`(${own}) is closed`),
    });
    expect(h.fake.store.records('deals').filter((d) => d.properties['gridsync_deal_key'])).toHaveLength(1);

    const opened = addCompanyDeal(h.fake.store, companyId, { dealname: 'Opened by the AE' });
    await scheduledRun(h);
    expect((await syncOf(h, grid.gridId)).deal).toMatchObject({ state: 'found', crmId: opened });
  });
});
