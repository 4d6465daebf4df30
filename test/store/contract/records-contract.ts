/** Store contract, the worker's records: state documents, written-field fingerprints, the AE-task ledger. */
import { describe, expect, it } from 'vitest';
import { aGridSyncState, anAccountState, aTarget, aVerdict } from '../../support/state-documents.ts';
import { COMPLETE, gridDelivery, INCOMPLETE, makeGrid, type StoreFactory, useStore } from './fixtures.ts';

export function recordsContract(factory: StoreFactory): void {
  const t = useStore(factory);

  describe('state documents', () => {
    it('stores a grid sync state and an account state whole, and replaces them whole', async () => {
      expect(await t.store.getGridSyncState('acme', 'g')).toBeUndefined();
      const first = aGridSyncState({
        version: 1,
        targets: { gridRecord: aTarget('pending') },
        warnings: ['a warning the next document does not have'],
      });
      await t.store.putGridSyncState('acme', 'g', first);
      expect(await t.store.getGridSyncState('acme', 'g')).toEqual(first);
      const second = aGridSyncState({ version: 2 });
      await t.store.putGridSyncState('acme', 'g', second);
      expect(await t.store.getGridSyncState('acme', 'g')).toEqual(second);

      const account = anAccountState({
        domain: 'ledgerline.example',
        score: 42.5,
        level: 'high',
        verdict: aVerdict({ qualified: true, criteria: [] }),
      });
      await t.store.putAccountState('acme', 'ledgerline.example', account);
      expect(await t.store.getAccountState('acme', 'ledgerline.example')).toEqual(account);
      expect(await t.store.getAccountState('globex', 'ledgerline.example')).toBeUndefined();
    });
  });

  describe('written fields', () => {
    it('returns fingerprints per record and merges new ones field by field', async () => {
      await t.store.recordWrittenFields('acme', 'deal', [
        { recordKey: 'deal-1', fields: { gridsync_before: 'fp-a', gridsync_ideal: 'fp-b' } },
        { recordKey: 'deal-2', fields: { gridsync_before: 'fp-c' } },
      ]);
      await t.store.recordWrittenFields('acme', 'deal', [
        { recordKey: 'deal-1', fields: { gridsync_ideal: 'fp-b2', gridsync_score: 'fp-d' } },
      ]);
      const written = await t.store.getWrittenFields('acme', 'deal', ['deal-1', 'deal-2', 'deal-unknown']);
      expect(Object.fromEntries(written)).toEqual({
        'deal-1': { gridsync_before: 'fp-a', gridsync_ideal: 'fp-b2', gridsync_score: 'fp-d' },
        'deal-2': { gridsync_before: 'fp-c' },
      });
      expect((await t.store.getWrittenFields('acme', 'company', ['deal-1'])).size).toBe(0);
      expect((await t.store.getWrittenFields('globex', 'deal', ['deal-1'])).size).toBe(0);
      expect((await t.store.getWrittenFields('acme', 'deal', [])).size).toBe(0);
    });
  });

  describe('AE task ledger', () => {
    it('writes creating once and afterwards returns the entry as it stands', async () => {
      expect(await t.store.getTaskEntry('acme', 'g')).toBeUndefined();
      const begun = await t.store.beginTaskCreation('acme', 'g', 'gridsync:acme:g');
      expect(begun).toMatchObject({
        tenant: 'acme',
        gridId: 'g',
        marker: 'gridsync:acme:g',
        state: 'creating',
        crmTaskId: null,
      });
      const again = await t.store.beginTaskCreation('acme', 'g', 'another-marker');
      expect(again).toEqual(begun);

      const details = { owner: { id: '77', why: 'deal owner' }, dueDate: '2026-11-23' };
      await t.store.markTaskCreated('acme', 'g', 'task-123', details);
      expect(await t.store.getTaskEntry('acme', 'g')).toMatchObject({
        state: 'created',
        crmTaskId: 'task-123',
        details,
        marker: 'gridsync:acme:g',
      });
      expect(await t.store.beginTaskCreation('acme', 'g', 'late')).toMatchObject({
        state: 'created',
        crmTaskId: 'task-123',
      });
    });

    it('gives two replicas beginning the same task the same single entry', async () => {
      const replicas = [t.store, await t.openAgain()];
      const entries = await Promise.all(
        replicas.map((r, n) => r.beginTaskCreation('acme', 'g', `marker-${n}`)),
      );
      expect(entries[0]).toEqual(entries[1]);
    });

    it('refuses to mark a task created that was never begun', async () => {
      await expect(t.store.markTaskCreated('acme', 'nope', 'task-1', {})).rejects.toThrow(
        /beginTaskCreation/,
      );
    });
  });

  describe('grids whose deal the mapping finds', () => {
    const found = (companyId: string) =>
      aGridSyncState({ deal: { state: 'found', crmId: 'd-1', reason: 'r', companyId, checkedAt: 'x' } });

    it('lists the watched grids due: no deal.crmId, and a live sync found their company', async () => {
      const now = new Date();
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid({ gridId: 'g-rule' }), COMPLETE));
      await t.store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid({ gridId: 'g-unsynced' }), COMPLETE));
      await t.store.acceptGrid(gridDelivery('acme', 'wh-3', makeGrid({ gridId: 'g-dry' }), COMPLETE));
      await t.store.acceptGrid(
        gridDelivery('acme', 'wh-4', makeGrid({ gridId: 'g-given', deal: { crmId: '42' } }), COMPLETE),
      );
      await t.store.acceptGrid(gridDelivery('other', 'wh-5', makeGrid({ gridId: 'g-other' }), COMPLETE));
      await t.store.putGridSyncState('acme', 'g-rule', found('c-1'));
      await t.store.putGridSyncState('acme', 'g-dry', { ...found('c-1'), mode: 'dry_run' });
      await t.store.putGridSyncState('acme', 'g-given', found('c-1'));
      await t.store.putGridSyncState('other', 'g-other', found('c-2'));
      const later = new Date(now.getTime() + 60_000);
      expect(await t.store.listGridIdsFindingDeal('acme', later, 10)).toEqual(['g-rule']);

      // A later version that names the deal takes the grid off the list.
      await t.store.acceptGrid(
        gridDelivery(
          'acme',
          'wh-6',
          makeGrid({ gridId: 'g-rule', capturedAt: '2026-11-21T09:00:00Z', deal: { crmId: '7' } }),
          COMPLETE,
        ),
      );
      expect(await t.store.listGridIdsFindingDeal('acme', later, 10)).toEqual([]);
    });

    it('gives the least recently looked-at first, at most limit, and defers the ones looked at', async () => {
      const now = new Date();
      for (const id of ['g-a', 'g-b', 'g-c']) {
        await t.store.acceptGrid(gridDelivery('acme', `wh-${id}`, makeGrid({ gridId: id }), COMPLETE));
        await t.store.putGridSyncState('acme', id, found('c-1'));
      }
      const later = new Date(now.getTime() + 60_000);
      const first = await t.store.listGridIdsFindingDeal('acme', later, 2);
      expect(first).toHaveLength(2);
      await t.store.deferDealWatch('acme', first, new Date(later.getTime() + 1));
      expect(await t.store.listGridIdsFindingDeal('acme', later, 2)).toEqual(
        ['g-a', 'g-b', 'g-c'].filter((id) => !first.includes(id)),
      );
      const next = new Date(later.getTime() + 60_000);
      const all = await t.store.listGridIdsFindingDeal('acme', next, 10);
      expect(all.slice(-2).sort()).toEqual([...first].sort());
      // A sync of the grid makes it due at once again.
      await t.store.deferDealWatch('acme', ['g-a', 'g-b', 'g-c'], new Date(next.getTime() + 60_000));
      await t.store.putGridSyncState('acme', 'g-b', found('c-1'));
      expect(await t.store.listGridIdsFindingDeal('acme', next, 10)).toEqual(['g-b']);
    });
  });

  describe('grids awaiting their AE task', () => {
    const qualified = anAccountState({ verdict: aVerdict({ qualified: true, criteria: [] }) });
    const notQualified = anAccountState({ verdict: aVerdict({ qualified: false, criteria: [] }) });

    it('lists complete grids of qualifying accounts until their task is recorded as created', async () => {
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid({ gridId: 'g-complete' }), COMPLETE));
      await t.store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid({ gridId: 'g-draft' }), INCOMPLETE));
      // No account state yet, then one that does not qualify: the grid waits for its account.
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([]);
      await t.store.putAccountState('acme', 'ledgerline.example', notQualified);
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([]);
      await t.store.putAccountState('acme', 'ledgerline.example', qualified);
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual(['g-complete']);
      expect(await t.store.listGridIdsAwaitingTask('globex')).toEqual([]);
      await t.store.beginTaskCreation('acme', 'g-complete', 'gridsync:acme:g-complete');
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual(['g-complete']);
      await t.store.markTaskCreated('acme', 'g-complete', 'task-1', {});
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([]);
      // A new version of a grid whose task exists does not bring it back.
      await t.store.acceptGrid(
        gridDelivery(
          'acme',
          'wh-3',
          makeGrid({
            gridId: 'g-complete',
            capturedAt: '2026-11-22T09:00:00Z',
            beforeScenario: 'Changed text',
          }),
          COMPLETE,
        ),
      );
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([]);
    });

    it('leaves out a grid whose sync is dead-lettered until it is replayed', async () => {
      await t.store.putAccountState('acme', 'ledgerline.example', qualified);
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid({ gridId: 'g-dead' }), COMPLETE));
      await t.store.acceptGrid(gridDelivery('acme', 'wh-2', makeGrid({ gridId: 'g-waiting' }), COMPLETE));
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual(['g-dead', 'g-waiting']);
      for (const job of await t.store.claim({ workerId: 'w', limit: 10, leaseMs: 30_000 })) {
        if (job.key === 'grid.sync:acme:g-dead') await t.store.fail(job.id, 'w', 'refused', null);
        else await t.store.release(job.id, 'w');
      }
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual(['g-waiting']);
      const [dead] = await t.store.listDeadJobs({ gridIds: ['g-dead'] });
      await t.store.requeueDeadJobs([dead!.id]);
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual(['g-dead', 'g-waiting']);
    });

    it('follows the completeness of the current version', async () => {
      await t.store.putAccountState('acme', 'ledgerline.example', qualified);
      await t.store.acceptGrid(gridDelivery('acme', 'wh-1', makeGrid(), INCOMPLETE));
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([]);
      await t.store.acceptGrid(
        gridDelivery('acme', 'wh-2', makeGrid({ capturedAt: '2026-11-21T09:00:00Z' }), COMPLETE),
      );
      expect(await t.store.listGridIdsAwaitingTask('acme')).toEqual([makeGrid().gridId]);
    });
  });

  describe('accounts due for the scheduled pass', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const later = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();

    it('lists accounts whose next change has come, or that were evaluated under another mapping', async () => {
      await t.store.putAccountState(
        'acme',
        'a.example',
        anAccountState({ nextChangeAt: later(-1), basis: 'm1' }),
      );
      await t.store.putAccountState(
        'acme',
        'b.example',
        anAccountState({ nextChangeAt: later(0), basis: 'm1' }),
      );
      await t.store.putAccountState(
        'acme',
        'c.example',
        anAccountState({ nextChangeAt: later(5), basis: 'm1' }),
      );
      await t.store.putAccountState('acme', 'd.example', anAccountState({ nextChangeAt: null, basis: 'm1' }));
      await t.store.putAccountState('acme', 'e.example', anAccountState({ nextChangeAt: null, basis: 'm0' }));
      await t.store.putAccountState('globex', 'a.example', anAccountState({ nextChangeAt: later(-1) }));
      expect(await t.store.listAccountsDue('acme', now, 'm1')).toEqual([
        'a.example',
        'b.example',
        'e.example',
      ]);
      expect(await t.store.listAccountsDue('acme', new Date(later(6)), 'm1')).toEqual([
        'a.example',
        'b.example',
        'c.example',
        'e.example',
      ]);
      // Re-evaluated: no longer due.
      await t.store.putAccountState(
        'acme',
        'a.example',
        anAccountState({ nextChangeAt: later(48), basis: 'm1' }),
      );
      await t.store.putAccountState('acme', 'e.example', anAccountState({ nextChangeAt: null, basis: 'm1' }));
      expect(await t.store.listAccountsDue('acme', now, 'm1')).toEqual(['b.example']);
    });

    it('treats a state without nextChangeAt (stored before it existed) as due at once', async () => {
      await t.store.putAccountState('acme', 'old.example', anAccountState({ basis: 'm1' }));
      expect(await t.store.listAccountsDue('acme', new Date(0), 'm1')).toEqual(['old.example']);
    });
  });
}
