/**
 * Issue 10's acceptance through a running gridsync (intake, worker and store composed as `gridsync serve`
 * composes them, work arriving while the worker runs) against the stateful HubSpot stand-in:
 * - a wrong association type id for 1,250 links costs a bounded number of association requests, and each
 *   grid's status names the mapping line of the association;
 * - a tenant whose daily remaining reaches 0 makes no call until the portal's midnight, and its status says
 *   when it resumes;
 * - a search 429 without policyName is retried 1–2 s later, not after the ten-second window.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { DailyLimitStatus } from '../../src/intake/daily-limit-status.ts';
import { nextMidnightIn } from '../../src/lib/next-midnight.ts';
import { type Harness, startHarness, TENANT } from '../support/gridsync-harness.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';
import { waitFor } from '../support/wait-for.ts';
import { ledgerlineGrid, seedLedgerline } from '../support/fixtures.ts';

// Registered first so that it runs after the harness is closed (after-hooks run last registered first).
afterEach(() => {
  vi.useRealTimers();
});
const startHarnessPerTest = closedAfterEach(startHarness);

async function tenantStatus(h: Harness): Promise<{ dailyLimit: DailyLimitStatus }> {
  const response = await fetch(`${h.gridsync.url}/v1/tenants/${TENANT}/status`, {
    headers: { authorization: `Bearer ${h.statusToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { dailyLimit: DailyLimitStatus };
}

/** Posts in parallel, a few at a time, as a form backend flushing a queue would. */
async function postAll(h: Harness, grids: unknown[], parallel = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < grids.length) {
        const grid = grids[next++];
        expect((await h.postGrid(grid)).status).toBe(202);
      }
    }),
  );
}

/** The 1-based line and column of `grid.associate.deal` in the tenant's mapping file as written. */
function associateDealLine(dir: string): string {
  const lines = readFileSync(join(dir, 'mappings', 'acme.yaml'), 'utf8').split('\n');
  const associate = lines.findIndex((line) => /^ {2}associate:/.test(line));
  const deal = lines.findIndex((line, i) => i > associate && /^ {4}deal:/.test(line));
  return `${deal + 1}:5`;
}

describe('a wrong association type id, through a running gridsync', () => {
  it('1,250 grids: at most 2 × ceil(1250/1000) + 12 association requests, each grid failing at the mapping line', async () => {
    const h = await startHarnessPerTest({
      fake: { requestsPerWindow: 1_000 },
      mapping: [[['grid', 'associate'], { deal: { associationTypeId: 99 } }]],
    });
    const { dealId } = seedLedgerline(h.fake);
    // The portal has one labelled grid→deal type, 7; the mapping says 99.
    h.fake.defineAssociationTypes('p_sales_grid', 'deals', { 7: 'USER_DEFINED' });
    const grids = Array.from({ length: 1_250 }, (_, i) =>
      ledgerlineGrid({ gridId: `grid-assoc-${i}`, deal: { crmId: dealId } }),
    );

    await postAll(h, grids);
    const failedAssociations = async (gridId: string): Promise<string | undefined> => {
      const { targets } = (await h.status(gridId))['sync'] as {
        targets?: { associations?: { state: string; error?: string } };
      };
      return targets?.associations?.state === 'failed' ? targets.associations.error : undefined;
    };
    await waitFor(async () => (await failedAssociations(grids.at(-1)!.gridId)) !== undefined, 60_000);
    await h.settle();

    const associationCalls = h.fake.requests.filter((r) => r.route.includes('/associations/')).length;
    console.info(`1,250 grids with a wrong association type id: ${associationCalls} association requests`);
    expect(associationCalls).toBeLessThanOrEqual(2 * Math.ceil(1250 / 1000) + 12);
    expect(h.fake.store.associations.filter((a) => a.fromType === 'p_sales_grid')).toHaveLength(0);
    const where = `mappings/acme.yaml:${associateDealLine(h.dir)} grid.associate.deal`;
    // Every grid's sync document (what its status shows) names the line; a sample is read over HTTP too.
    for (const [i, grid] of grids.entries()) {
      const state = await h.gridsync.store.getGridSyncState(TENANT, grid.gridId);
      const error =
        i % 125 === 0 ? await failedAssociations(grid.gridId) : state?.targets.associations?.error;
      expect(error, grid.gridId).toContain('99 is not a valid association type');
      expect(error, grid.gridId).toContain(where);
    }
  }, 120_000);
});

describe('the daily limit, through a running gridsync', () => {
  it('makes no call from the moment the daily remaining reaches 0 until midnight in the portal’s zone, and the tenant status says when it resumes', async () => {
    // Only Date is faked (and keeps running): the test can jump to the portal's midnight; timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const timeZone = 'Asia/Tokyo';
    const h = await startHarnessPerTest({ fake: { dailyLimit: 1_000, timeZone } });
    const { dealId } = seedLedgerline(h.fake);
    const grid = (n: number) => ledgerlineGrid({ gridId: `grid-daily-${n}`, deal: { crmId: dealId } });
    const syncState = async (n: number) =>
      ((await h.status(`grid-daily-${n}`))['sync'] as { state: string }).state;

    expect((await h.postGrid(grid(1))).status).toBe(202);
    await waitFor(async () => (await syncState(1)) === 'synced', 15_000);
    await waitFor(() => h.fake.callCount('GET /account-info/2026-03/details') === 1, 5_000);
    const before = (await tenantStatus(h)).dailyLimit;
    expect(before).toMatchObject({ state: 'ok', limit: 1_000, warning: null, resumesAt: null });

    // Another app on the portal spends the day's requests but one: the answer to the next call says 0 left.
    h.fake.useDailyBudget(h.fake.dailyRemaining! - 1);
    expect((await h.postGrid(grid(2))).status).toBe(202);
    await waitFor(async () => (await tenantStatus(h)).dailyLimit.state === 'paused', 15_000);
    const midnight = new Date(nextMidnightIn(timeZone, Date.now())!).toISOString();
    const paused = (await tenantStatus(h)).dailyLimit;
    expect(paused).toEqual({
      state: 'paused',
      limit: 1_000,
      remaining: 0,
      warning: 'only 0 of 1000 daily CRM requests left',
      resumesAt: midnight,
      reason: null,
    });
    const callsAtPause = h.fake.requests.length;

    // More work arrives while paused: nothing goes to HubSpot, and the grids say when gridsync resumes.
    expect((await h.postGrid(grid(3))).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.fake.requests.length).toBe(callsAtPause);
    const waiting = (await h.status('grid-daily-3'))['sync'] as { state: string; error?: string };
    expect(waiting.state).toBe('pending');
    expect(JSON.stringify(await h.status('grid-daily-2'))).toContain(`resumes calls at ${midnight}`);

    // The portal's midnight: HubSpot gives the count back, and gridsync picks up where it stopped.
    vi.setSystemTime(new Date(midnight).getTime() + 1_000);
    await waitFor(async () => (await syncState(2)) === 'synced' && (await syncState(3)) === 'synced', 20_000);
    const resumed = h.fake.requests.slice(callsAtPause);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => r.at >= new Date(midnight).getTime())).toBe(true);
    expect((await tenantStatus(h)).dailyLimit).toMatchObject({ state: 'ok', resumesAt: null });
  }, 60_000);
});

describe('a search 429 without policyName, through a running gridsync', () => {
  it('is retried 1–2 s later, and the grid syncs', async () => {
    const h = await startHarnessPerTest({ retry: { maxWaitMs: 15_000 } });
    seedLedgerline(h.fake);
    // Another app's searches fill HubSpot's per-second search window just as gridsync's company search lands.
    h.fake.crowdNextSearch();
    const grid = ledgerlineGrid({ gridId: 'grid-search-429' });
    expect((await h.postGrid(grid)).status).toBe(202);
    await waitFor(
      async () => ((await h.status(grid.gridId))['sync'] as { state: string }).state !== 'pending',
      15_000,
    );

    const searches = h.fake.requests.filter((r) => r.route === 'POST /crm/objects/2026-03/companies/search');
    expect(searches.map((s) => s.status)).toEqual([429, 200]);
    const delay = searches[1]!.at - searches[0]!.at;
    console.info(`search 429 without policyName, through gridsync: retried after ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(1_000);
    expect(delay).toBeLessThan(2_000);
    expect(((await h.status(grid.gridId))['sync'] as { state: string }).state).toBe('synced');
  }, 30_000);
});
