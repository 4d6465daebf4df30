/**
 * Issue 13, item 4: AE tasks go out in batches. 250 complete grids of a qualifying account, each on its own
 * deal, posted at once to a running gridsync: the stand-in counts every call the task step makes (owner chain
 * reads, batch creates, marker lookups), and every grid ends with exactly one task, owned by its deal's owner.
 */
import { describe, expect, it } from 'vitest';

import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);

const GRIDS = 250;
const TASK_BATCH = 'POST /crm/objects/2026-03/tasks/batch/create';

describe('AE tasks in batches', () => {
  it('250 qualifying grids get their 250 tasks in at most 8 HubSpot calls', async () => {
    const h = await startHarnessPerTest({ fake: { requestsPerWindow: 1_000 } });
    seedLedgerline(h.fake);
    await h.postSignals(qualifyingSignals());
    await h.settle();
    const grids = Array.from({ length: GRIDS }, (_, i) => {
      const dealId = h.fake.addRecord('deals', { dealname: `Deal ${i}`, hubspot_owner_id: '500' });
      return ledgerlineGrid({ gridId: `batch-${String(i).padStart(4, '0')}`, deal: { crmId: dealId } });
    });
    const before = h.fake.requests.length;
    const answers = await Promise.all(grids.map((grid) => h.postGrid(grid)));
    expect(answers.map((a) => a.status)).toEqual(grids.map(() => 202));
    await h.settle();

    const calls = h.fake.requests.slice(before);
    // The task step's calls: the owner chain's reads, the batch creates and any marker search.
    const taskCalls = calls.filter(
      (r) =>
        r.route.startsWith('POST /crm/objects/2026-03/tasks/') ||
        r.route.startsWith('GET /crm/owners/') ||
        r.route === 'POST /crm/objects/2026-03/companies/batch/read',
    );
    const routes = taskCalls.map((r) => r.route);
    expect(taskCalls.length, JSON.stringify(routes)).toBeLessThanOrEqual(8);
    // Batch creates of at most 100 (HubSpot's limit) that carry each task once. How many: three when the 250
    // syncs land in full batches of 100, one more when a claim splits them (they arrive while the worker runs);
    // the bound above is the issue's.
    const creates = calls
      .filter((r) => r.route === TASK_BATCH)
      .map((r) => (r.body as { inputs: unknown[] }).inputs.length);
    expect(Math.max(...creates)).toBeLessThanOrEqual(100);
    expect(creates.reduce((sum, n) => sum + n, 0)).toBe(GRIDS);
    // The deals' owners come with the grid sync's own read of the grids' deals (one per batch of 100): the
    // owner chain reads none of them again.
    const dealReads = calls.filter((r) => r.route === 'POST /crm/objects/2026-03/deals/batch/read');
    expect(dealReads.length).toBeLessThanOrEqual(Math.ceil(GRIDS / 100));

    const tasks = h.fake.store.records('tasks');
    expect(tasks).toHaveLength(GRIDS);
    for (const grid of grids) {
      const status = (await h.status(grid.gridId))['sync'] as {
        task?: { state: string; crmTaskId?: string };
      };
      expect(status.task?.state).toBe('created');
      const task = h.fake.store.get('tasks', status.task?.crmTaskId ?? '');
      expect(task?.properties['hubspot_owner_id']).toBe('500');
      const deal = h.fake.store.associations.find(
        (a) => a.fromType === 'tasks' && a.fromId === task?.id && a.toType === 'deals',
      );
      expect(deal?.toId).toBe(grid.deal.crmId);
    }
  }, 90_000);
});
