/** Store contract, retention: bounded deletes of what gridsync no longer reads, and nothing it still reads. */
import { describe, expect, it } from 'vitest';
import {
  gridDelivery,
  makeGrid,
  makeSignal,
  signalsDelivery,
  type StoreFactory,
  useStore,
} from './fixtures.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

export function retentionContract(factory: StoreFactory): void {
  const t = useStore(factory);

  describe('pruneSignals', () => {
    it('deletes the tenant’s signals before the cutoff in batches of at most limit, and keeps the rest', async () => {
      const old = Array.from({ length: 5 }, (_u, i) =>
        makeSignal(`old-${i}`, `a${i % 2}.example`, daysAgo(40 + i)),
      );
      const kept = [
        makeSignal('new-0', 'a0.example', daysAgo(1)),
        makeSignal('new-1', 'a1.example', daysAgo(29)),
      ];
      await t.store.acceptSignals(signalsDelivery('acme', 'wh-1', [...old, ...kept]));
      await t.store.acceptSignals(
        signalsDelivery('globex', 'wh-1', [makeSignal('g', 'a0.example', daysAgo(90))]),
      );
      const cutoff = new Date(NOW.getTime() - 30 * DAY);

      expect(await t.store.pruneSignals('acme', cutoff, 2)).toBe(2);
      expect(await t.store.pruneSignals('acme', cutoff, 2)).toBe(2);
      expect(await t.store.pruneSignals('acme', cutoff, 2)).toBe(1);
      expect(await t.store.pruneSignals('acme', cutoff, 2)).toBe(0);

      const left = async (tenant: string, domain: string) =>
        (await t.store.listAccountSignals(tenant, domain, new Date(0))).map((s) => s.id);
      expect(await left('acme', 'a0.example')).toEqual(['new-0']);
      expect(await left('acme', 'a1.example')).toEqual(['new-1']);
      expect(await left('globex', 'a0.example')).toEqual(['g']);
      expect(await t.store.listActiveAccounts('acme', cutoff)).toEqual(['a0.example', 'a1.example']);
      // The oldest signal left is known again: a later, later cutoff finds it.
      expect(await t.store.pruneSignals('acme', new Date(NOW.getTime() - 10 * DAY), 10)).toBe(1);
      expect(await left('acme', 'a1.example')).toEqual([]);
    });

    it('finds an older signal that arrived after newer ones', async () => {
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [makeSignal('new', 'a.example', daysAgo(1))]),
      );
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-2', [makeSignal('late', 'a.example', daysAgo(60))]),
      );
      expect(await t.store.pruneSignals('acme', new Date(NOW.getTime() - 30 * DAY), 10)).toBe(1);
    });
  });

  describe('pruneFinishedJobs', () => {
    it('deletes succeeded jobs finished before the cutoff, never pending or dead ones', async () => {
      await t.store.enqueue([
        { kind: 'account.refresh', tenant: 'acme', key: 'done-1', payload: { accountDomain: 'a.example' } },
        { kind: 'account.refresh', tenant: 'acme', key: 'done-2', payload: { accountDomain: 'b.example' } },
        {
          kind: 'account.refresh',
          tenant: 'acme',
          key: 'dead',
          payload: { accountDomain: 'c.example' },
          maxAttempts: 1,
        },
      ]);
      const claimed = await t.store.claim({ workerId: 'w', limit: 3, leaseMs: 60_000 });
      for (const job of claimed) {
        if (job.key === 'dead') await t.store.fail(job.id, 'w', 'gave up', null);
        else await t.store.complete(job.id, 'w');
      }
      await t.store.enqueue([
        { kind: 'account.refresh', tenant: 'acme', key: 'waiting', payload: { accountDomain: 'd.example' } },
      ]);
      const later = new Date(Date.now() + 60_000);

      expect(await t.store.pruneFinishedJobs(new Date(Date.now() - 60_000), 10)).toBe(0);
      expect(await t.store.pruneFinishedJobs(later, 1)).toBe(1);
      expect(await t.store.pruneFinishedJobs(later, 10)).toBe(1);
      expect(await t.store.getJobs('acme', 'done-1')).toEqual([]);
      expect(await t.store.getJobs('acme', 'dead')).toMatchObject([{ state: 'dead' }]);
      expect(await t.store.getJobs('acme', 'waiting')).toMatchObject([{ state: 'pending' }]);
    });
  });

  describe('pruneDeliveries', () => {
    it('forgets answers received before the cutoff; a newer one still replays', async () => {
      const old = { ...signalsDelivery('acme', 'wh-old', [makeSignal('s1', 'a.example', daysAgo(1))]) };
      await t.store.acceptSignals({ ...old, receivedAt: new Date(NOW.getTime() - 2 * DAY) });
      const recent = signalsDelivery('acme', 'wh-new', [makeSignal('s2', 'a.example', daysAgo(1))]);
      await t.store.acceptSignals({ ...recent, receivedAt: NOW });

      expect(await t.store.pruneDeliveries(new Date(NOW.getTime() - DAY), 10)).toBe(1);
      const again = signalsDelivery('acme', 'wh-old', [makeSignal('s3', 'a.example', daysAgo(1))]);
      expect(await t.store.acceptSignals(again)).toMatchObject({ replay: false, result: { accepted: 1 } });
      const repeat = signalsDelivery('acme', 'wh-new', [makeSignal('s4', 'a.example', daysAgo(1))]);
      expect(await t.store.acceptSignals(repeat)).toMatchObject({ replay: true });
    });
  });

  describe('pruneGridVersions', () => {
    it('deletes versions replaced or superseded before the cutoff and keeps the current one', async () => {
      const at = (days: number) => new Date(NOW.getTime() - days * DAY);
      const v1 = makeGrid({
        capturedAt: '2026-11-01T10:00:00Z',
        beforeScenario: 'First take on the payouts problem',
      });
      const v2 = makeGrid({ capturedAt: '2026-11-02T10:00:00Z' });
      const stale = makeGrid({
        capturedAt: '2026-10-30T10:00:00Z',
        beforeScenario: 'An older capture arriving late',
      });
      await t.store.acceptGrid({ ...gridDelivery('acme', 'wh-1', v1), receivedAt: at(10) });
      await t.store.acceptGrid({ ...gridDelivery('acme', 'wh-2', v2), receivedAt: at(9) });
      const late = await t.store.acceptGrid({ ...gridDelivery('acme', 'wh-3', stale), receivedAt: at(8) });
      expect(late).toMatchObject({ result: { version: 3, outcome: 'superseded' } });

      expect(await t.store.pruneGridVersions(at(9.5), 10)).toBe(0);
      expect(await t.store.pruneGridVersions(at(1), 1)).toBe(1);
      expect(await t.store.pruneGridVersions(at(1), 10)).toBe(1);
      expect(await t.store.pruneGridVersions(NOW, 10)).toBe(0);
      expect(await t.store.getGrid('acme', v2.gridId)).toMatchObject({ version: 2, grid: v2 });

      // The next version is still numbered after the pruned ones, and replaces the current one in turn.
      const v4 = makeGrid({
        capturedAt: '2026-11-03T10:00:00Z',
        idealScenario: 'Payouts reconcile on their own',
      });
      expect(
        await t.store.acceptGrid({ ...gridDelivery('acme', 'wh-4', v4), receivedAt: at(0.5) }),
      ).toMatchObject({
        result: { version: 4, outcome: 'new_version' },
      });
      expect(await t.store.pruneGridVersions(NOW, 10)).toBe(1);
      expect(await t.store.getGrid('acme', v2.gridId)).toMatchObject({ version: 4, grid: v4 });
    });
  });
}
