/** Store contract, intake: grid versions, signal batches, replays by webhook-id, all-or-nothing deliveries. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS } from '../../../src/store/job-lifecycle.ts';
import {
  gridDelivery,
  INCOMPLETE,
  makeGrid,
  makeSignal,
  signalsDelivery,
  type StoreFactory,
  useStore,
} from './fixtures.ts';

export function intakeContract(factory: StoreFactory): void {
  const t = useStore(factory);

  describe('acceptGrid', () => {
    it('stores the first delivery of a grid as version 1 and enqueues its sync', async () => {
      const grid = makeGrid();
      const delivery = gridDelivery('acme', 'wh-1', grid, INCOMPLETE);
      const accepted = await t.store.acceptGrid(delivery);
      const expected = { gridId: grid.gridId, version: 1, outcome: 'new_version' };
      expect(accepted).toEqual({
        replay: false,
        result: expected,
        answer: { status: 202, body: { ...expected, complete: false, webhookId: 'wh-1' } },
      });
      const stored = await t.store.getGrid('acme', grid.gridId);
      expect(stored).toMatchObject({
        tenant: 'acme',
        gridId: grid.gridId,
        version: 1,
        grid,
        completeness: INCOMPLETE,
      });
      expect(stored?.receivedAt.getTime()).toBe(delivery.receivedAt.getTime());
      const jobs = await t.store.getJobs('acme', `grid.sync:acme:${grid.gridId}`);
      expect(jobs).toMatchObject([
        { kind: 'grid.sync', payload: { gridId: grid.gridId }, state: 'pending', attempts: 0 },
      ]);
    });

    it('replays the stored answer for a repeated webhook-id without building a new one or storing anything', async () => {
      const first = await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()));
      const again = gridDelivery(
        'acme',
        'wh-1',
        makeGrid({ beforeScenario: 'Something else entirely, long enough to count' }),
      );
      const replayed = await t.store.acceptGrid(again);
      expect(replayed).toEqual({ replay: true, answer: first.answer });
      expect(again.answered()).toBe(0);
      expect((await t.store.getGrid('acme', makeGrid().gridId))?.grid).toEqual(makeGrid());
      expect(await t.store.getJobs('acme', `grid.sync:acme:${makeGrid().gridId}`)).toHaveLength(1);
    });

    it('answers identical content under a new webhook-id as unchanged, keeping the current version', async () => {
      const grid = makeGrid();
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', grid));
      const reordered = Object.fromEntries(Object.entries(grid).reverse()) as typeof grid;
      const accepted = await t.store.acceptGrid(gridDelivery('acme', 'wh-2', reordered));
      expect(accepted).toMatchObject({ replay: false, result: { version: 1, outcome: 'unchanged' } });
      expect((await t.store.getGrid('acme', grid.gridId))?.version).toBe(1);
      // And the new webhook-id is now known: its own answer replays.
      expect(await t.store.acceptGrid(gridDelivery('acme', 'wh-2', grid))).toEqual({
        replay: true,
        answer: accepted.answer,
      });
    });

    it('makes new content captured later the next version, and current', async () => {
      const v1 = makeGrid();
      const v2 = makeGrid({
        capturedAt: '2026-11-21T09:00:00Z',
        idealScenario: 'Reconciliation runs unattended and alerts only on mismatches',
      });
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', v1));
      const accepted = await t.store.acceptGrid(gridDelivery('acme', 'wh-2', v2, INCOMPLETE));
      expect(accepted).toMatchObject({ result: { version: 2, outcome: 'new_version' } });
      expect(await t.store.getGrid('acme', v1.gridId)).toMatchObject({
        version: 2,
        grid: v2,
        completeness: INCOMPLETE,
      });
    });

    it('keeps a version captured before the current one in history without letting it become current', async () => {
      const current = makeGrid({ capturedAt: '2026-11-21T09:00:00Z' });
      const late = makeGrid({
        capturedAt: '2026-11-20T08:00:00Z',
        beforeScenario: 'An older draft that arrived late',
      });
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', current));
      const accepted = await t.store.acceptGrid(gridDelivery('acme', 'wh-2', late));
      expect(accepted).toMatchObject({ result: { version: 2, outcome: 'superseded' } });
      expect(await t.store.getGrid('acme', current.gridId)).toMatchObject({ version: 1, grid: current });
      // Numbering counts the superseded version: the next current one is 3.
      const next = makeGrid({ capturedAt: '2026-11-22T09:00:00Z' });
      expect(await t.store.acceptGrid(gridDelivery('acme', 'wh-3', next))).toMatchObject({
        result: { version: 3, outcome: 'new_version' },
      });
    });

    it('stores nothing when building the answer throws, so the same webhook-id can be delivered again', async () => {
      const failing = {
        ...gridDelivery('acme', 'wh-1', makeGrid()),
        answer: () => {
          throw new Error('answer exploded');
        },
      };
      await expect(t.store.acceptGrid(failing)).rejects.toThrow('answer exploded');
      expect(await t.store.getGrid('acme', makeGrid().gridId)).toBeUndefined();
      expect(await t.store.getJobs('acme', `grid.sync:acme:${makeGrid().gridId}`)).toEqual([]);
      expect(await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()))).toMatchObject({
        replay: false,
      });
    });

    it('gives the sync job the attempts the delivery names (the tenant’s setting), or the default', async () => {
      await t.store.acceptGrid({
        ...gridDelivery('acme', 'wh-1', makeGrid({ gridId: 'g-3' })),
        maxAttempts: 3,
      });
      await t.store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid({ gridId: 'g-default' })));
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g-3')).toMatchObject([{ maxAttempts: 3 }]);
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g-default')).toMatchObject([
        { maxAttempts: DEFAULT_MAX_ATTEMPTS },
      ]);
    });

    it('keeps tenants apart: the same webhook-id and grid id are different deliveries and grids', async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid()));
      const other = makeGrid({ submittedBy: 'someone@globex.example' });
      expect(await t.store.acceptGrid(gridDelivery('globex', 'wh-1', other))).toMatchObject({
        replay: false,
        result: { version: 1 },
      });
      expect((await t.store.getGrid('globex', other.gridId))?.grid).toEqual(other);
      expect((await t.store.getGrid('acme', other.gridId))?.grid).toEqual(makeGrid());
    });

    it('lists grids by the account domain of their current version', async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid({ gridId: 'g-b' })));
      await t.store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid({ gridId: 'g-a' })));
      await t.store.acceptGrid(
        gridDelivery('acme', 'wh-3', makeGrid({ gridId: 'g-c', account: { crmId: '0015g00000XyZ' } })),
      );
      expect(await t.store.listGridIdsForAccount('acme', 'ledgerline.example')).toEqual(['g-a', 'g-b']);
      const moved = makeGrid({
        gridId: 'g-b',
        capturedAt: '2026-11-21T09:00:00Z',
        account: { domain: 'globex.example' },
      });
      await t.store.acceptGrid(gridDelivery('acme', 'wh-4', moved));
      expect(await t.store.listGridIdsForAccount('acme', 'ledgerline.example')).toEqual(['g-a']);
      expect(await t.store.listGridIdsForAccount('acme', 'globex.example')).toEqual(['g-b']);
    });
  });

  describe('acceptSignals', () => {
    const at = (minute: number) => `2026-11-20T16:${String(minute).padStart(2, '0')}:00Z`;

    it('stores new signals, counts duplicates by id and enqueues one refresh per account', async () => {
      const accepted = await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [
          makeSignal('s1', 'ledgerline.example', at(1)),
          makeSignal('s2', 'globex.example', at(2)),
          makeSignal('s3', 'ledgerline.example', at(3)),
          makeSignal('s1', 'ledgerline.example', at(1)),
        ]),
      );
      expect(accepted).toMatchObject({
        replay: false,
        result: { accepted: 3, duplicates: 1, accounts: ['globex.example', 'ledgerline.example'] },
      });
      const again = await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-2', [
          makeSignal('s3', 'ledgerline.example', at(3)),
          makeSignal('s4', 'ledgerline.example', at(4)),
        ]),
      );
      expect(again).toMatchObject({
        result: { accepted: 1, duplicates: 1, accounts: ['ledgerline.example'] },
      });
      // The second batch's refresh was absorbed by the one still pending.
      expect(await t.store.getJobs('acme', 'account.refresh:acme:ledgerline.example')).toMatchObject([
        { kind: 'account.refresh', payload: { accountDomain: 'ledgerline.example' }, state: 'pending' },
      ]);
      expect(await t.store.getJobs('acme', 'account.refresh:acme:globex.example')).toHaveLength(1);
    });

    it('gives the refresh jobs the attempts the delivery names', async () => {
      const delivery = signalsDelivery('acme', 'wh-1', [makeSignal('s1', 'ledgerline.example', at(1))]);
      await t.store.acceptSignals({ ...delivery, maxAttempts: 4 });
      expect(await t.store.getJobs('acme', 'account.refresh:acme:ledgerline.example')).toMatchObject([
        { maxAttempts: 4 },
      ]);
    });

    it('enqueues nothing for a batch whose signals were all stored before', async () => {
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [makeSignal('s1', 'ledgerline.example', at(1))]),
      );
      const [job] = await t.store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
      await t.store.complete(job!.id, 'w');
      const again = await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-2', [makeSignal('s1', 'ledgerline.example', at(1))]),
      );
      expect(again).toMatchObject({ result: { accepted: 0, duplicates: 1, accounts: [] } });
      expect(await t.store.getJobs('acme', 'account.refresh:acme:ledgerline.example')).toMatchObject([
        { state: 'succeeded' },
      ]);
    });

    it('replays a repeated webhook-id with the original answer', async () => {
      const first = await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [makeSignal('s1', 'ledgerline.example', at(1))]),
      );
      const repeat = signalsDelivery('acme', 'wh-1', [makeSignal('s9', 'other.example', at(9))]);
      expect(await t.store.acceptSignals(repeat)).toEqual({ replay: true, answer: first.answer });
      expect(repeat.answered()).toBe(0);
      expect(await t.store.listActiveAccounts('acme', new Date(0))).toEqual(['ledgerline.example']);
    });

    it('returns an account’s signals since a time, oldest first, as they were sent', async () => {
      const rich = makeSignal('s-rich', 'ledgerline.example', at(5), {
        contact: { email: 'maya@ledgerline.example' },
        value: 3.5,
        attributes: { plan: 'pro', seats: 12, trial: false },
        source: 'product',
      });
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [
          rich,
          makeSignal('s-old', 'ledgerline.example', at(1)),
          makeSignal('s-mid', 'ledgerline.example', at(3)),
        ]),
      );
      await t.store.acceptSignals(
        signalsDelivery('globex', 'wh-1', [makeSignal('s-other', 'ledgerline.example', at(4))]),
      );
      const since = new Date(at(2));
      expect(await t.store.listAccountSignals('acme', 'ledgerline.example', since)).toEqual([
        makeSignal('s-mid', 'ledgerline.example', at(3)),
        rich,
      ]);
    });

    it('pages an account’s signals in time then id order, microseconds and all, each once', async () => {
      const signals = [
        makeSignal('s-b', 'ledgerline.example', '2026-11-20T16:01:00.000100Z'),
        makeSignal('s-a', 'ledgerline.example', '2026-11-20T16:01:00.000900Z'),
        makeSignal('s-c', 'ledgerline.example', at(1)),
        makeSignal('s-d', 'ledgerline.example', at(1)),
        makeSignal('s-e', 'ledgerline.example', at(2)),
        makeSignal('s-old', 'ledgerline.example', at(0)),
        makeSignal('s-else', 'globex.example', at(1)),
      ];
      await t.store.acceptSignals(signalsDelivery('acme', 'wh-1', signals));
      const since = new Date(at(1));
      const read: string[] = [];
      let after = null;
      let pages = 0;
      do {
        const page = await t.store.listAccountSignalsPage('acme', 'ledgerline.example', since, after, 2);
        read.push(...page.signals.map((s) => s.id));
        after = page.next;
        pages += 1;
      } while (after !== null);
      // Two full pages and a last short one, in the store's order (PostgreSQL keeps the microseconds SQLite drops).
      expect(pages).toBe(3);
      const byTime = (await t.store.listAccountSignals('acme', 'ledgerline.example', since)).map((s) => s.id);
      expect(read).toEqual(byTime);
      expect([...read].sort()).toEqual(['s-a', 's-b', 's-c', 's-d', 's-e']);
      expect(read.at(-1)).toBe('s-e');
      const whole = await t.store.listAccountSignalsPage('acme', 'ledgerline.example', since, null, 10);
      expect(whole.next).toBeNull();
      expect(whole.signals.map((s) => s.id)).toEqual(read);
    });

    it('counts distinct contacts on product signals since a time', async () => {
      const contact = (email: string) => ({ contact: { email } });
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [
          makeSignal('s1', 'ledgerline.example', at(2), contact('maya@ledgerline.example')),
          makeSignal('s2', 'ledgerline.example', at(3), contact('maya@ledgerline.example')),
          makeSignal('s3', 'ledgerline.example', at(3), {
            type: 'docs.page_view',
            source: 'product',
            ...contact('lee@ledgerline.example'),
          }),
          makeSignal('s4', 'ledgerline.example', at(3), {
            type: 'docs.page_view',
            ...contact('kim@x.example'),
          }),
          makeSignal('s5', 'ledgerline.example', at(1), contact('old@ledgerline.example')),
          makeSignal('s6', 'ledgerline.example', at(4)),
          makeSignal('s7', 'globex.example', at(4), contact('other@globex.example')),
        ]),
      );
      expect(await t.store.countActiveUsers('acme', 'ledgerline.example', new Date(at(2)))).toBe(2);
      expect(await t.store.countActiveUsers('acme', 'ledgerline.example', new Date(at(0)))).toBe(3);
      expect(await t.store.countActiveUsers('acme', 'nobody.example', new Date(0))).toBe(0);
    });

    it('lists the accounts with a signal since a time', async () => {
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-1', [
          makeSignal('s1', 'old.example', at(1)),
          makeSignal('s2', 'new.example', at(10)),
        ]),
      );
      await t.store.acceptSignals(
        signalsDelivery('acme', 'wh-2', [makeSignal('s3', 'old.example', '2026-11-20T15:00:00Z')]),
      );
      expect(await t.store.listActiveAccounts('acme', new Date(at(5)))).toEqual(['new.example']);
      expect(await t.store.listActiveAccounts('acme', new Date(at(0)))).toEqual([
        'new.example',
        'old.example',
      ]);
      expect(await t.store.listActiveAccounts('globex', new Date(0))).toEqual([]);
    });

    it('stores nothing when building the answer throws', async () => {
      const failing = {
        ...signalsDelivery('acme', 'wh-1', [makeSignal('s1', 'ledgerline.example', at(1))]),
        answer: () => {
          throw new Error('answer exploded');
        },
      };
      await expect(t.store.acceptSignals(failing)).rejects.toThrow('answer exploded');
      expect(await t.store.listAccountSignals('acme', 'ledgerline.example', new Date(0))).toEqual([]);
      expect(await t.store.getJobs('acme', 'account.refresh:acme:ledgerline.example')).toEqual([]);
      expect(await t.store.nextRunAt()).toBeUndefined();
    });
  });
}
