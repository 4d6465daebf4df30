/**
 * Issue 14, item 6: no task waits for the schedule because of a race. A grid is synced while its account does
 * not qualify; a second grid arrives, and qualifying signals 250 ms later, so the second grid's sync may be the
 * one that sees the account qualify (and stores that) before the signals' account refresh runs. The schedule is
 * yearly: only the re-sync of the account's other grids, enqueued before the new state is stored, can give the
 * first grid its task in time.
 */
import { describe, expect, it } from 'vitest';

import { taskMarker } from '../../src/ae-task/task-marker.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);

describe('an account that qualifies while its grids sync', () => {
  it('gives every complete grid its task within 5 s, with the schedule set to yearly', async () => {
    // One group at a time, in claim order: the second grid's sync (enqueued first) runs before the signals'
    // account refresh, which is the order that lost the first grid's task.
    const h = await startHarnessPerTest({
      mapping: [[['schedule'], '0 0 1 1 *']],
      runner: { concurrency: 1 },
    });
    const { dealId } = seedLedgerline(h.fake);
    const first = ledgerlineGrid({ gridId: 'grid-race-first', deal: { crmId: dealId } });
    await h.postGrid(first);
    await h.settle();
    expect(h.fake.store.records('tasks')).toHaveLength(0);

    const second = ledgerlineGrid({ gridId: 'grid-race-second', deal: { crmId: dealId } });
    const started = performance.now();
    await h.postGrid(second);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await h.postSignals(qualifyingSignals());

    const taskFor = (gridId: string) =>
      h.fake.store
        .records('tasks')
        .some((t) => t.properties['hs_task_body']?.includes(taskMarker('acme', gridId)));
    await expect
      .poll(() => taskFor(first.gridId) && taskFor(second.gridId), { timeout: 5_000, interval: 20 })
      .toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    await h.settle();
    expect(h.fake.store.records('tasks')).toHaveLength(2);
  });
});
