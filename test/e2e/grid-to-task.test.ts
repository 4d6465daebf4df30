/**
 * Issue 5's acceptance, end to end: a task appears exactly once, when the grid is complete and the account
 * qualifies, whichever comes last; owned by the first active owner in the mapping's chain.
 */
import { describe, expect, it } from 'vitest';

import type { GridSyncState } from '../../src/domain/sync-state.ts';
import { startHarness, type Harness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);

const taskOf = (status: Record<string, unknown>) => (status['sync'] as GridSyncState).task;
const tasks = (h: Harness) => h.fake.store.records('tasks');

describe('the AE task', () => {
  it('waits for the account to qualify, then appears exactly once for the deal owner with the grid in its body', async () => {
    const harness = await startHarnessPerTest();
    const { companyId, contactId, dealId } = seedLedgerline(harness.fake);
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    await harness.postGrid(grid);
    await harness.settle();

    expect(tasks(harness)).toHaveLength(0);
    const before = taskOf(await harness.status(grid.gridId));
    expect(before?.state).toBe('not_eligible');
    expect(before?.reason).toMatch(/does not qualify yet/);
    expect(before?.reason).toMatch(/active users/);

    await harness.postSignals(qualifyingSignals());
    await harness.settle();
    // The scheduled pass afterwards must not add a second one.
    await harness.gridsync.scheduler.tick('acme', new Date());
    await harness.settle();

    const created = tasks(harness);
    expect(created).toHaveLength(1);
    const task = created[0]!;
    expect(task.properties['hubspot_owner_id']).toBe('500');
    expect(task.properties['hs_task_body']).toContain(grid.beforeScenario);
    expect(task.properties['hs_task_body']).toContain(grid.positiveOutcomes.personal);
    expect(task.properties['hs_task_subject']).toContain('Ledgerline');
    const links = harness.fake.store.associations.filter(
      (a) => a.fromType === 'tasks' && a.fromId === task.id,
    );
    expect(links.map((l) => [l.toType, l.toId, l.typeId]).sort()).toEqual(
      [
        ['companies', companyId, 192],
        ['contacts', contactId, 204],
        ['deals', dealId, 216],
      ].sort(),
    );
    expect(taskOf(await harness.status(grid.gridId))).toMatchObject({ state: 'created', crmTaskId: task.id });
    const company = harness.fake.store.get('companies', companyId)?.properties;
    expect(company?.['gridsync_pqa_status']).toBe('Qualified');
  });

  it('never creates a task for a grid without the personal layer of Positive Outcomes, and says which section', async () => {
    const harness = await startHarnessPerTest();
    const { dealId } = seedLedgerline(harness.fake);
    await harness.postSignals(qualifyingSignals());
    const grid = ledgerlineGrid({
      deal: { crmId: dealId },
      positiveOutcomes: { business: 'Reduced ops burden, faster integration velocity, lower incident rate.' },
    });
    const answer = (await (await harness.postGrid(grid)).json()) as {
      completeness: { complete: boolean; gaps: { title: string }[] };
    };
    expect(answer.completeness.complete).toBe(false);
    expect(answer.completeness.gaps.map((g) => g.title)).toEqual(['Positive Outcomes (personal layer)']);
    await harness.settle();

    expect(tasks(harness)).toHaveLength(0);
    expect(taskOf(await harness.status(grid.gridId))?.reason).toContain(
      'Positive Outcomes (personal layer) is missing',
    );
  });

  it('skips a deactivated deal owner for the next owner in the chain, and says why', async () => {
    const harness = await startHarnessPerTest();
    const { dealId } = seedLedgerline(harness.fake);
    harness.fake.addOwner({ id: '500', archived: true, email: 'gone@vendor.example' });
    await harness.postSignals(qualifyingSignals());
    await harness.settle();
    const grid = ledgerlineGrid({ deal: { crmId: dealId } });
    await harness.postGrid(grid);
    await harness.settle();

    const created = tasks(harness);
    expect(created).toHaveLength(1);
    expect(created[0]?.properties['hubspot_owner_id']).toBe('501');
    const task = taskOf(await harness.status(grid.gridId));
    expect(task?.owner).toMatchObject({ id: '501', step: 'company_owner' });
    expect(task?.reason).toMatch(/deactivated|archived|inactive/i);
  });
});
