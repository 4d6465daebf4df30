/**
 * The grid sync orchestrator on an in-memory CRM (test/support/in-memory-crm.ts) and a temp SQLite store: what
 * it sends, what it leaves out the second time, which deal a grid goes to, what an outage does, and which
 * completeness verdict the task step acts on. The HTTP stand-ins cover the adapters; these stay fast.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { CrmError } from '../crm/crm-errors.ts';
import { judgeCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import { signalSchema } from '../domain/signal.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import { describeGridStatus } from '../intake/grid-status.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { qualifyingSignals } from '../../test/support/fixtures.ts';
import { ledgerlineGrid } from '../../test/support/example-payloads.ts';
import { InMemoryCrm } from '../../test/support/in-memory-crm.ts';
import { silentLogger } from '../../test/support/loggers.ts';
import { exampleMapping, type ExampleTenant, tenantContext } from '../../test/support/sync-context.ts';
import { type TempStore, tempSqliteStore } from '../../test/support/temp-store.ts';
import { syncGrids } from './sync-grids.ts';

const now = new Date();
const temps: TempStore[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((t) => t.cleanup()));
});

interface TestTenant {
  store: TempStore['store'];
  crm: InMemoryCrm;
  companyId: string;
  contactId: string;
  resynced: string[];
  runtime: ReturnType<typeof tenantContext>;
  accept(grid: SalesGrid, under?: LoadedMapping): Promise<void>;
  qualify(): Promise<void>;
  sync(gridIds: string[], runtime?: ReturnType<typeof tenantContext>): ReturnType<typeof syncGrids>;
  state(gridId: string): Promise<GridSyncState>;
}

/** A tenant with Ledgerline in its CRM: the company (with the ICP fields acme's rule reads), Maya, owners. */
async function tenant(
  name: ExampleTenant,
  loaded: LoadedMapping = exampleMapping(name),
): Promise<TestTenant> {
  const temp = await tempSqliteStore();
  temps.push(temp);
  const { store } = temp;
  const crm = new InMemoryCrm(loaded.mapping.crm.type);
  crm.addOwner('500');
  crm.addOwner('501');
  const companyId = crm.addCompany(
    'ledgerline.example',
    { numberofemployees: '300', industry: 'FINANCIAL_SERVICES', country: 'United States' },
    '501',
  );
  const contactId = crm.addContact('maya@ledgerline.example');
  const resynced: string[] = [];
  let deliveries = 0;
  const t: TestTenant = {
    store,
    crm,
    companyId,
    contactId,
    resynced,
    runtime: tenantContext(loaded, crm),
    async accept(grid: SalesGrid, under: LoadedMapping = loaded) {
      await store.acceptGrid({
        tenant: loaded.mapping.tenant,
        webhookId: `wh-${String((deliveries += 1))}`,
        grid,
        completeness: judgeCompleteness(grid, under.mapping.completeness),
        receivedAt: now,
        answer: (result) => ({ status: 202, body: result }),
      });
    },
    async qualify() {
      await store.acceptSignals({
        tenant: loaded.mapping.tenant,
        webhookId: `wh-signals-${String((deliveries += 1))}`,
        signals: qualifyingSignals('ledgerline.example', now.getTime()).map((s) => signalSchema.parse(s)),
        receivedAt: now,
        answer: (result) => ({ status: 202, body: result }),
      });
    },
    sync: (gridIds: string[], runtime = t.runtime) =>
      syncGrids(
        {
          store,
          logger: silentLogger(),
          now: () => now,
          resync: (ids) => {
            resynced.push(...ids);
            return Promise.resolve();
          },
        },
        runtime,
        gridIds,
      ),
    state: async (gridId: string) =>
      (await store.getGridSyncState(loaded.mapping.tenant, gridId)) as GridSyncState,
  };
  return t;
}

describe('syncGrids on an in-memory CRM', () => {
  it('writes the grid record, its links and the fields of its records, and nothing again while it is unchanged', async () => {
    const t = await tenant('acme');
    const dealId = t.crm.addDeal({ companyId: t.companyId, ownerId: '500' });
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    await t.accept(grid);

    const outcomes = await t.sync([grid.gridId]);
    expect(outcomes.get(grid.gridId)).toEqual({ status: 'done' });
    const record = t.crm.gridRecords.get(grid.gridId);
    expect(record?.fields['gridsync_before_scenario']).toBe(grid.beforeScenario);
    expect(t.crm.links.get(record?.id ?? '')).toEqual({
      deal: dealId,
      company: t.companyId,
      contact: t.contactId,
    });
    expect(t.crm.records.deal.get(dealId)?.fields).toHaveProperty('gridsync_grid_summary');
    expect(t.crm.records.company.get(t.companyId)?.fields['gridsync_source']).toBe('gridsync');
    expect(await t.state(grid.gridId)).toMatchObject({
      mode: 'live',
      deal: { state: 'given', crmId: dealId },
      targets: { gridRecord: { state: 'synced', crmId: record?.id }, associations: { state: 'synced' } },
      task: { state: 'not_eligible' },
    });
    expect(t.runtime.breaker.successes).toBe(1);

    const writes = () =>
      t.crm.calls.filter((c) => ['upsertGridRecords', 'linkGridRecords', 'updateRecords'].includes(c.method))
        .length;
    const before = writes();
    await t.sync([grid.gridId]);
    expect(writes()).toBe(before);
  });

  it('creates exactly one AE task, for the deal owner, once the grid is complete and the account qualifies', async () => {
    const t = await tenant('acme');
    const dealId = t.crm.addDeal({ companyId: t.companyId, ownerId: '500' });
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    await t.accept(grid);
    await t.qualify();

    await t.sync([grid.gridId]);
    await t.sync([grid.gridId]);
    expect([...t.crm.tasks.values()]).toEqual([
      expect.objectContaining({
        ownerId: '500',
        links: { deal: dealId, company: t.companyId, contact: t.contactId },
      }),
    ]);
    expect((await t.state(grid.gridId)).task).toMatchObject({
      state: 'created',
      owner: { step: 'deal_owner' },
    });
  });

  it('waits for a deal by the rule (whenNone: wait), then takes the one that opens and links it', async () => {
    const t = await tenant('acme');
    const grid = ledgerlineGrid({ deal: undefined });
    await t.accept(grid);
    await t.qualify();

    await t.sync([grid.gridId]);
    const waiting = await t.state(grid.gridId);
    expect(waiting.deal).toMatchObject({ state: 'waiting', companyId: t.companyId });
    expect(waiting.task).toMatchObject({ state: 'blocked', reason: expect.stringContaining("deal's owner") });
    const recordId = t.crm.gridRecords.get(grid.gridId)?.id ?? '';
    expect(t.crm.links.get(recordId)?.deal).toBeUndefined();
    expect(t.crm.callsOf('createDeals')).toBe(0);

    const dealId = t.crm.addDeal({ companyId: t.companyId, ownerId: '500', pipeline: 'default' });
    await t.sync([grid.gridId]);
    expect((await t.state(grid.gridId)).deal).toMatchObject({ state: 'found', crmId: dealId });
    expect(t.crm.links.get(recordId)?.deal).toBe(dealId);
    expect([...t.crm.tasks.values()].map((task) => task.ownerId)).toEqual(['500']);
  });

  it('moves a grid to the deal the rule picks now, and unlinks the one it left', async () => {
    const t = await tenant('acme');
    const first = t.crm.addDeal({ companyId: t.companyId, createdAt: '2026-10-01T00:00:00Z' });
    const grid = ledgerlineGrid({ deal: undefined });
    await t.accept(grid);
    await t.sync([grid.gridId]);
    const recordId = t.crm.gridRecords.get(grid.gridId)?.id ?? '';
    expect(t.crm.links.get(recordId)?.deal).toBe(first);

    const first_ = t.crm.deals.get(first);
    if (first_) first_.closed = true;
    const second = t.crm.addDeal({ companyId: t.companyId, createdAt: '2026-11-01T00:00:00Z' });
    await t.sync([grid.gridId]);
    expect((await t.state(grid.gridId)).deal).toMatchObject({
      state: 'found',
      crmId: second,
      movedFrom: { crmId: first, reason: expect.stringContaining('no longer counts') },
    });
    expect(t.crm.links.get(recordId)?.deal).toBe(second);
    expect(t.crm.callsOf('unlinkGridDeals')).toBe(1);
  });

  it('opens one deal per company (whenNone: create) for the grids of a batch, and never a second', async () => {
    const t = await tenant('globex');
    const grids = [
      ledgerlineGrid({ gridId: 'grid-a', deal: undefined }),
      ledgerlineGrid({ gridId: 'grid-b', deal: undefined }),
    ];
    for (const grid of grids) await t.accept(grid);

    await t.sync(grids.map((g) => g.gridId));
    await t.sync(grids.map((g) => g.gridId));
    const opened = [...t.crm.deals.values()];
    expect(opened).toEqual([
      expect.objectContaining({
        companyId: t.companyId,
        key: `gridsync-${t.companyId}`,
        stage: 'Prospecting',
      }),
    ]);
    expect(t.crm.callsOf('createDeals')).toBe(1);
    for (const grid of grids) {
      expect((await t.state(grid.gridId)).deal).toMatchObject({ state: 'created', crmId: opened[0]?.id });
    }
  });

  it("re-syncs the account's other grids when a grid sync finds its qualification changed", async () => {
    const t = await tenant('acme');
    const a = ledgerlineGrid({ gridId: 'grid-a', deal: undefined });
    const b = ledgerlineGrid({ gridId: 'grid-b', deal: undefined });
    await t.accept(a);
    await t.accept(b);
    await t.sync([a.gridId, b.gridId]);
    expect(t.resynced).toEqual([]);

    await t.qualify();
    await t.sync([a.gridId]);
    expect(t.resynced).toEqual([b.gridId]);
  });

  it('keeps what was written when the CRM goes away, shows the error, and lets the jobs wait', async () => {
    const t = await tenant('acme');
    const grid = ledgerlineGrid({ deal: undefined });
    await t.accept(grid);
    t.crm.failCalls(new CrmError('unavailable', 'HubSpot answered 503'), { method: 'findCompanyDeals' });

    const outcome = (await t.sync([grid.gridId])).get(grid.gridId);
    expect(outcome).toMatchObject({
      status: 'paused',
      error: expect.stringContaining('HubSpot answered 503'),
    });
    expect((await t.state(grid.gridId)).retrying).toMatchObject({ error: 'HubSpot answered 503' });
    expect(t.runtime.breaker.failures).toEqual(['HubSpot answered 503']);
    expect(t.crm.callsOf('upsertGridRecords')).toBe(0);
  });

  it('a record the CRM refuses for good makes the grid a dead letter, naming the target', async () => {
    const t = await tenant('acme');
    const grid = ledgerlineGrid({ deal: undefined });
    await t.accept(grid);
    t.crm.refuseField('gridsync_event');

    const outcome = (await t.sync([grid.gridId])).get(grid.gridId);
    expect(outcome).toMatchObject({ status: 'dead', error: expect.stringContaining('gridRecord:') });
    expect((await t.state(grid.gridId)).targets.gridRecord).toMatchObject({
      state: 'failed',
      permanent: true,
    });
  });
});

describe('completeness: the verdict the worker acts on', () => {
  it("is the intake's under the same rules, and judged again (and shown) after a completeness edit", async () => {
    const acme = exampleMapping('acme');
    const t = await tenant('acme', acme);
    const grid = ledgerlineGrid({ deal: undefined });
    await t.accept(grid);
    await t.qualify();

    await t.sync([grid.gridId]);
    expect((await t.state(grid.gridId)).completeness).toBeUndefined();

    // RevOps raises the bar after the grid was accepted: the worker must not act on the intake's verdict.
    const stricter = { ...acme, mapping: { ...acme.mapping, completeness: { minWords: 60, sections: {} } } };
    await t.sync([grid.gridId], tenantContext(stricter, t.crm));
    const state = await t.state(grid.gridId);
    expect(state.completeness).toMatchObject({ complete: false, rules: 'v1 minWords 60' });
    expect(state.task?.state).toBe('not_eligible');

    const stored = await t.store.getGrid('acme', grid.gridId);
    expect(stored?.completeness).toMatchObject({
      complete: true,
      rules: 'v1 minWords 6, requiredCapabilities 10',
    });
    const status = describeGridStatus({
      stored: stored!,
      statusUrl: '',
      syncState: state,
      accountState: await t.store.getAccountState('acme', 'ledgerline.example'),
      taskEntry: undefined,
    });
    expect(status.completeness).toEqual(state.completeness);
    expect(status.task).toMatchObject({ blockedBy: ['grid_incomplete'] });
  });
});
