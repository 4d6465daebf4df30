/**
 * Store contract, what operators ask of the queue: job counts for metrics, dead jobs listed by tenant, grid
 * and time, replay with fresh attempts, and a tenant's grids listed.
 */
import { describe, expect, it } from 'vitest';
import { accountRefreshJob, gridSyncJob } from '../../../src/store/job-lifecycle.ts';
import type { Store } from '../../../src/store/store.ts';
import { gridDelivery, makeGrid, secondsFrom, type StoreFactory, useStore } from './fixtures.ts';

const lease = 30_000;

/** Claims every due job and fails it for good: each becomes a dead job with `error`. */
async function killAll(store: Store, error: string): Promise<void> {
  for (const job of await store.claim({ workerId: 'w', limit: 100, leaseMs: lease })) {
    await store.fail(job.id, 'w', error, null);
  }
}

export function inspectionContract(factory: StoreFactory): void {
  const t = useStore(factory);

  describe('jobStats', () => {
    it('counts pending, running and dead jobs by tenant and kind, never succeeded ones', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'a'), gridSyncJob('acme', 'b'), gridSyncJob('globex', 'c')]);
      await t.store.enqueue([accountRefreshJob('acme', 'x.example', { runAt: secondsFrom(now, 3600) })]);
      // acme's two grid jobs: one succeeds, one dies; globex's stays pending.
      const [first, second] = await t.store.claim({
        workerId: 'w',
        limit: 2,
        leaseMs: lease,
        skipTenants: ['globex'],
      });
      await t.store.complete(first!.id, 'w');
      await t.store.fail(second!.id, 'w', 'refused', null);
      const stats = await t.store.jobStats(secondsFrom(now, 1));
      const find = (tenant: string, kind: string, state: string) =>
        stats.find((s) => s.tenant === tenant && s.kind === kind && s.state === state);
      expect(stats.filter((s) => s.tenant === 'acme' && s.kind === 'grid.sync')).toHaveLength(1);
      expect(find('acme', 'grid.sync', 'dead')?.count).toBe(1);
      expect(find('globex', 'grid.sync', 'pending')).toMatchObject({ count: 1 });
      expect(find('globex', 'grid.sync', 'pending')?.oldestDueAt).toBeInstanceOf(Date);
      // Not due yet: counted, but it is not waiting.
      expect(find('acme', 'account.refresh', 'pending')).toMatchObject({ count: 1, oldestDueAt: null });
      expect(stats.some((s) => (s.state as string) === 'succeeded')).toBe(false);
    });

    it('counts, of the pending jobs, those carrying the error of an earlier try', async () => {
      const jobs = ['a', 'b', 'c', 'd'].map((id) => gridSyncJob('acme', id));
      await t.store.enqueue(jobs);
      const claimed = await t.store.claim({ workerId: 'w', limit: 3, leaseMs: lease });
      const later = new Date(Date.now() + 60_000);
      await t.store.fail(claimed[0]!.id, 'w', 'HubSpot 503', later);
      await t.store.release(claimed[1]!.id, 'w', { runAt: later, reason: 'the CRM is paused' });
      await t.store.release(claimed[2]!.id, 'w'); // shutdown: no error
      const pending = (await t.store.jobStats()).find((s) => s.tenant === 'acme' && s.state === 'pending');
      expect(pending).toMatchObject({ count: 4, withError: 2 });
    });
  });

  describe('lastSucceededAt', () => {
    it("is when the tenant's newest job of the kind succeeded, null before the first", async () => {
      expect(await t.store.lastSucceededAt('acme', 'grid.sync')).toBeNull();
      await t.store.enqueue([gridSyncJob('acme', 'a'), gridSyncJob('globex', 'b')]);
      await t.store.enqueue([accountRefreshJob('acme', 'x.example')]);
      const before = Date.now();
      for (const job of await t.store.claim({ workerId: 'w', limit: 10, leaseMs: lease })) {
        if (job.tenant === 'acme' && job.kind === 'grid.sync') await t.store.complete(job.id, 'w');
        else await t.store.fail(job.id, 'w', 'refused', null);
      }
      const at = await t.store.lastSucceededAt('acme', 'grid.sync');
      expect(at?.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(await t.store.lastSucceededAt('acme', 'account.refresh')).toBeNull();
      expect(await t.store.lastSucceededAt('globex', 'grid.sync')).toBeNull();
    });
  });

  describe('listDeadJobs', () => {
    it('lists dead jobs newest first, filtered by tenant, grid, job id and time of death', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'a'), gridSyncJob('acme', 'b'), gridSyncJob('globex', 'c')]);
      await killAll(t.store, 'HubSpot refused property gridsync_typo');
      const all = await t.store.listDeadJobs();
      expect(all).toHaveLength(3);
      expect(
        all.every((j) => j.state === 'dead' && j.lastError === 'HubSpot refused property gridsync_typo'),
      ).toBe(true);
      const deaths = all.map((j) => j.updatedAt.getTime());
      expect([...deaths].sort((x, y) => y - x)).toEqual(deaths);

      expect((await t.store.listDeadJobs({ tenant: 'acme' })).map((j) => j.payload)).toEqual(
        expect.arrayContaining([{ gridId: 'a' }, { gridId: 'b' }]),
      );
      expect(await t.store.listDeadJobs({ tenant: 'acme' })).toHaveLength(2);
      expect((await t.store.listDeadJobs({ gridIds: ['b', 'c'] })).map((j) => j.tenant).sort()).toEqual([
        'acme',
        'globex',
      ]);
      const [one] = all;
      expect((await t.store.listDeadJobs({ ids: [one!.id, 'not-an-id'] })).map((j) => j.id)).toEqual([
        one!.id,
      ]);
      const future = secondsFrom(new Date(), 60);
      expect(await t.store.listDeadJobs({ since: future })).toEqual([]);
      expect(await t.store.listDeadJobs({ until: future })).toHaveLength(3);
      expect(await t.store.listDeadJobs({ until: secondsFrom(new Date(), -60) })).toEqual([]);
      expect(await t.store.listDeadJobs({ limit: 1 })).toHaveLength(1);
    });

    it('lists only the latest job of a key: a newer job for the same grid supersedes a dead one', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'a'), gridSyncJob('acme', 'b')]);
      await killAll(t.store, 'first death');
      await t.store.enqueue([gridSyncJob('acme', 'a')]);
      expect((await t.store.listDeadJobs()).map((j) => j.payload)).toEqual([{ gridId: 'b' }]);
      await killAll(t.store, 'second death');
      const letters = await t.store.listDeadJobs({ gridIds: ['a'] });
      expect(letters.map((j) => j.lastError)).toEqual(['second death']);
      const stats = await t.store.jobStats();
      expect(stats.find((s) => s.tenant === 'acme' && s.state === 'dead')?.count).toBe(2);
    });

    it('does not list pending, running or succeeded jobs', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'a'), gridSyncJob('acme', 'b')]);
      const [job] = await t.store.claim({ workerId: 'w', limit: 1, leaseMs: lease });
      await t.store.complete(job!.id, 'w');
      expect(await t.store.listDeadJobs()).toEqual([]);
    });
  });

  describe('requeueDeadJobs', () => {
    it('makes dead jobs pending and due now with fresh attempts; a second replay moves nothing', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'a', { maxAttempts: 3 }), gridSyncJob('acme', 'b')]);
      await killAll(t.store, 'refused');
      const [a] = await t.store.listDeadJobs({ gridIds: ['a'] });
      const before = new Date();
      const moved = await t.store.requeueDeadJobs([a!.id, 'nonsense']);
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatchObject({ id: a!.id, state: 'pending', attempts: 0, maxAttempts: 3 });
      expect(moved[0]!.runAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
      expect(await t.store.requeueDeadJobs([a!.id])).toEqual([]);
      expect((await t.store.listDeadJobs()).map((j) => j.payload)).toEqual([{ gridId: 'b' }]);
      // The worker takes it like any due job.
      const claimed = await t.store.claim({ workerId: 'w2', limit: 5, leaseMs: lease });
      expect(claimed.map((j) => j.id)).toEqual([a!.id]);
      expect(claimed[0]!.attempts).toBe(1);
    });
  });

  describe('listGrids', () => {
    it("lists a tenant's current grid versions, most recently changed first, since a time", async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'w1', makeGrid({ gridId: 'g1' })));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const between = new Date();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await t.store.acceptGrid(gridDelivery('acme', 'w2', makeGrid({ gridId: 'g2' })));
      await t.store.acceptGrid(
        gridDelivery('acme', 'w3', makeGrid({ gridId: 'g2', capturedAt: '2026-11-21T10:00:00Z' })),
      );
      await t.store.acceptGrid(gridDelivery('globex', 'w4', makeGrid({ gridId: 'g3' })));
      const listed = await t.store.listGrids('acme');
      expect(listed.map((g) => [g.gridId, g.version])).toEqual([
        ['g2', 2],
        ['g1', 1],
      ]);
      expect(listed[0]).toMatchObject({ accountDomain: 'ledgerline.example', complete: true });
      expect((await t.store.listGrids('acme', { since: between })).map((g) => g.gridId)).toEqual(['g2']);
      expect(await t.store.listGrids('acme', { limit: 1 })).toHaveLength(1);
      expect(await t.store.listGrids('nobody')).toEqual([]);
    });
  });
}
