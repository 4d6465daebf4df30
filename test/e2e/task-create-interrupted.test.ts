/**
 * Issue 14, item 7, through a running gridsync: HubSpot creates the AE task but its answer is a 5xx, or the
 * connection is cut before any answer, while its search index lags writes by seconds (the stand-in's
 * searchIndexLagMs, for every object type). gridsync must find the task by its marker on a short, bounded
 * schedule (seconds, not minutes) and end with exactly one task in the CRM.
 */
import { describe, expect, it } from 'vitest';

import type { GridSyncState } from '../../src/domain/sync-state.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';
import { waitFor } from '../support/wait-for.ts';

/** A task create, one by one or in a batch: the point is what the CRM ends with, not the call's shape. */
const TASK_CREATE = /^POST \/crm\/objects\/2026-03\/tasks(\/batch\/create)?$/;
const TASK_SEARCH = 'POST /crm/objects/2026-03/tasks/search';
const INDEX_LAG_MS = 3_000;

const startHarnessPerTest = closedAfterEach(startHarness);

describe('an AE task whose creation is interrupted after HubSpot made it', () => {
  it.each([503, 'cut'] as const)(
    `create answered %s, search index ${INDEX_LAG_MS} ms behind: found by its marker within seconds, exactly one task`,
    async (answer) => {
      const h = await startHarnessPerTest({ fake: { searchIndexLagMs: INDEX_LAG_MS } });
      const { dealId } = seedLedgerline(h.fake);
      h.fake.failAfterWrite(TASK_CREATE, answer);
      const grid = ledgerlineGrid({ deal: { crmId: dealId } });
      const taskOf = async () => ((await h.status(grid.gridId))['sync'] as GridSyncState | undefined)?.task;

      // Work arrives while the worker runs: the signals that qualify the account, then the grid.
      expect((await h.postSignals(qualifyingSignals())).status).toBe(202);
      expect((await h.postGrid(grid)).status).toBe(202);
      await waitFor(() => h.fake.requests.some((r) => TASK_CREATE.test(r.route)), 15_000);
      const createdAt = h.fake.requests.find((r) => TASK_CREATE.test(r.route))!.at;
      expect(h.fake.store.records('tasks')).toHaveLength(1);

      await waitFor(async () => (await taskOf())?.state === 'created', 25_000);
      const recordedAfterMs = Date.now() - createdAt;
      console.info(
        `task create ${String(answer)} with a ${INDEX_LAG_MS} ms index lag: recorded ${recordedAfterMs} ms after the create`,
      );

      const [task] = h.fake.store.records('tasks');
      expect(h.fake.store.records('tasks')).toHaveLength(1);
      expect(await taskOf()).toMatchObject({ state: 'created', crmTaskId: task!.id });
      // The index lag was in play: the task was found only after it reached the index, on a later search.
      expect(recordedAfterMs).toBeGreaterThanOrEqual(INDEX_LAG_MS);
      expect(recordedAfterMs).toBeLessThan(15_000);
      expect(h.fake.callCount(TASK_SEARCH)).toBeGreaterThanOrEqual(2);
      expect(h.fake.requests.filter((r) => TASK_CREATE.test(r.route))).toHaveLength(1);

      // Another pass over the account and the grid later changes nothing.
      await h.gridsync.scheduler.tick('acme', new Date());
      await h.settle();
      expect(h.fake.store.records('tasks')).toHaveLength(1);
    },
    40_000,
  );
});
