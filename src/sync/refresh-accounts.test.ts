/**
 * Signal-driven account refreshes on an in-memory CRM and a temp SQLite store: the company fields that read
 * account values are written once per change, the account's grids are re-synced when what they show changed,
 * and an outage makes the jobs wait.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { CrmError } from '../crm/crm-errors.ts';
import { judgeCompleteness } from '../domain/grid-completeness.ts';
import { signalSchema } from '../domain/signal.ts';
import { qualifyingSignals } from '../../test/support/fixtures.ts';
import { ledgerlineGrid } from '../../test/support/example-payloads.ts';
import { InMemoryCrm } from '../../test/support/in-memory-crm.ts';
import { exampleMapping, tenantContext } from '../../test/support/sync-context.ts';
import { type TempStore, tempSqliteStore } from '../../test/support/temp-store.ts';
import { refreshAccounts } from './refresh-accounts.ts';

const now = new Date();
const DOMAIN = 'ledgerline.example';
let temp: TempStore | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

async function setup() {
  temp = await tempSqliteStore();
  const { store } = temp;
  const loaded = exampleMapping('acme');
  const crm = new InMemoryCrm('hubspot');
  const companyId = crm.addCompany(DOMAIN, { industry: 'FINANCIAL_SERVICES' });
  const runtime = tenantContext(loaded, crm);
  const grid = ledgerlineGrid();
  await store.acceptGrid({
    tenant: 'acme',
    webhookId: 'wh-grid',
    grid,
    completeness: judgeCompleteness(grid, loaded.mapping.completeness),
    receivedAt: now,
    answer: (result) => ({ status: 202, body: result }),
  });
  const signals = async (webhookId: string, list: unknown[]) => {
    await store.acceptSignals({
      tenant: 'acme',
      webhookId,
      signals: list.map((s) => signalSchema.parse(s)),
      receivedAt: now,
      answer: (result) => ({ status: 202, body: result }),
    });
  };
  const company = () => crm.records.company.get(companyId)?.fields ?? {};
  return {
    store,
    crm,
    runtime,
    grid,
    signals,
    company,
    refresh: () => refreshAccounts(store, runtime, [DOMAIN], now),
  };
}

describe('refreshAccounts on an in-memory CRM', () => {
  it('writes the account values to the company, re-syncs its grids on a change, and nothing twice', async () => {
    const t = await setup();
    await t.signals('wh-signals', qualifyingSignals(DOMAIN, now.getTime()));

    const first = await t.refresh();
    expect(first.outcomes.get(DOMAIN)).toEqual({ status: 'done' });
    expect(first.gridJobs.map((j) => j.key)).toEqual([expect.stringContaining(t.grid.gridId)]);
    expect(t.company()).toMatchObject({
      gridsync_source: 'gridsync',
      gridsync_intent_level: expect.any(String),
    });
    expect(Number(t.company()['gridsync_active_users'])).toBe(3);
    // ICP values read from the CRM are kept for the grid syncs that follow.
    expect(t.runtime.companyFields.get(DOMAIN)).toEqual({ industry: 'FINANCIAL_SERVICES' });
    expect(t.runtime.breaker.successes).toBe(1);

    const updates = t.crm.callsOf('updateRecords');
    const again = await t.refresh();
    expect(again.gridJobs).toEqual([]);
    expect(t.crm.callsOf('updateRecords')).toBe(updates);
  });

  it('lets the accounts wait when the CRM is away, and reports it to the breaker', async () => {
    const t = await setup();
    t.crm.failCalls(new CrmError('rate_limited', 'HubSpot daily limit reached', { waitMs: 60_000 }));

    const { outcomes, gridJobs } = await t.refresh();
    expect(outcomes.get(DOMAIN)).toMatchObject({
      status: 'paused',
      error: expect.stringContaining('daily limit'),
    });
    expect(gridJobs).toEqual([]);
    expect(t.runtime.breaker.failures).toEqual(['HubSpot daily limit reached']);
  });
});
