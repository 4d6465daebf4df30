/** Store contract, the store itself: migrations applied once, commits that survive a restart, replicas racing. */
import { describe, expect, it } from 'vitest';
import {
  gridDelivery,
  makeGrid,
  makeSignal,
  signalsDelivery,
  type StoreFactory,
  useStore,
} from './fixtures.ts';

export function lifecycleContract(factory: StoreFactory): void {
  const t = useStore(factory);

  describe('store lifecycle', () => {
    it('applies migrations once: migrating again and opening again change nothing', async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()));
      await t.store.migrate();
      const again = await t.openAgain();
      await again.migrate();
      expect((await again.getGrid('acme', makeGrid().gridId))?.version).toBe(1);
    });

    it('keeps what was committed when the store is closed and opened again', async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()));
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-2', [makeSignal('s1', 'ledgerline.example', '2026-11-20T16:00:00Z')]),
      );
      await t.store.close();
      const reopened = await t.openAgain();
      await reopened.ping();
      expect((await reopened.getGrid('acme', makeGrid().gridId))?.grid).toEqual(makeGrid());
      expect(await reopened.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()))).toMatchObject({
        replay: true,
      });
      const claimed = await reopened.claim({ workerId: 'after-restart', limit: 5, leaseMs: 30_000 });
      expect(claimed.map((j) => j.kind).sort()).toEqual(['account.refresh', 'grid.sync']);
    });

    it('answers a trivial query when reachable, and fails once closed', async () => {
      await expect(t.store.ping()).resolves.toBeUndefined();
      const other = await t.openAgain();
      await other.close();
      await expect(other.ping()).rejects.toThrow();
    });

    it('accepts one delivery once when two replicas receive the same webhook-id together', async () => {
      const replicas = [t.store, await t.openAgain(), await t.openAgain()];
      const results = await Promise.all(
        replicas.map((r) => r.acceptGrid(gridDelivery('acme', 'wh-same', makeGrid()))),
      );
      expect(results.filter((r) => !r.replay)).toHaveLength(1);
      expect(new Set(results.map((r) => JSON.stringify(r.answer))).size).toBe(1);
      expect(await t.store.getJobs('acme', `grid.sync:acme:${makeGrid().gridId}`)).toHaveLength(1);
    });

    it('numbers versions of one grid without gaps or clashes when replicas accept them together', async () => {
      const replicas = [t.store, await t.openAgain(), await t.openAgain()];
      const results = await Promise.all(
        replicas.map((r, n) =>
          r.acceptGrid(
            gridDelivery(
              'acme',
              `wh-${n}`,
              makeGrid({ capturedAt: `2026-11-2${n + 1}T09:00:00Z`, context: { notes: `n${n}` } }),
            ),
          ),
        ),
      );
      const versions = results.map((r) => (r.replay ? 0 : r.result.version)).sort();
      expect(versions).toEqual([1, 2, 3]);
      expect((await t.store.getGrid('acme', makeGrid().gridId))?.grid.capturedAt).toBe(
        '2026-11-23T09:00:00Z',
      );
    });

    it('lets replicas accept signal batches for the same accounts together without losing any', async () => {
      const replicas = [t.store, await t.openAgain(), await t.openAgain()];
      const domains = ['a.example', 'b.example', 'c.example'];
      await Promise.all(
        replicas.map((r, n) =>
          r.acceptSignals(
            signalsDelivery(
              'acme',
              `wh-${n}`,
              Array.from({ length: 30 }, (_, i) =>
                makeSignal(`s-${(n * 7 + i) % 50}`, domains[i % 3]!, '2026-11-20T16:00:00Z'),
              ),
            ),
          ),
        ),
      );
      const stored = await Promise.all(
        domains.map((d) => t.store.listAccountSignals('acme', d, new Date(0))),
      );
      expect(new Set(stored.flat().map((s) => s.id)).size).toBe(stored.flat().length);
      for (const domain of domains) {
        expect(await t.store.getJobs('acme', `account.refresh:acme:${domain}`)).toHaveLength(1);
      }
    });
  });
}
