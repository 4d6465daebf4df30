import { describe, expect, it } from 'vitest';

import { assessCompleteness, judgeCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { GridSyncState, TargetState } from '../domain/sync-state.ts';
import type { StoredGrid, TaskLedgerEntry } from '../store/store.ts';
import { aGridSyncState, anAccountState, aTarget, aVerdict } from '../../test/support/state-documents.ts';
import { describeGridStatus, type GridStatusInput } from './grid-status.ts';

const SECTION = 'six words make this section substantive enough';

const completeGrid: SalesGrid = {
  gridId: 'grid-1',
  submittedBy: 'devrel@vendor.example',
  capturedAt: '2026-11-20T16:05:00Z',
  account: { domain: 'ledgerline.example', name: 'Ledgerline' },
  beforeScenario: SECTION,
  idealScenario: SECTION,
  negativeConsequences: SECTION,
  positiveOutcomes: { business: SECTION, personal: SECTION },
  requiredCapabilities: SECTION,
};

function stored(grid: SalesGrid = completeGrid, version = 1): StoredGrid {
  return {
    tenant: 'acme',
    gridId: grid.gridId,
    version,
    grid,
    completeness: assessCompleteness(grid),
    receivedAt: new Date('2026-11-20T16:06:00Z'),
  };
}

function status(overrides: Partial<GridStatusInput> = {}) {
  return describeGridStatus({
    stored: stored(),
    statusUrl: 'https://gridsync.test/v1/tenants/acme/grids/grid-1',
    syncState: undefined,
    accountState: undefined,
    taskEntry: undefined,
    ...overrides,
  });
}

const qualifiedAccount = anAccountState({
  domain: 'ledgerline.example',
  score: 52,
  verdict: aVerdict({ qualified: true, summary: 'all usage criteria and 3 of 5 ICP criteria hold' }),
});
const unqualifiedAccount = anAccountState({
  domain: 'ledgerline.example',
  score: 3,
  verdict: aVerdict({ qualified: false, summary: 'active on 2 of 14 required days' }),
});

describe('describeGridStatus', () => {
  it('shows a freshly accepted grid as pending, not evaluated and without a task', () => {
    const body = status();
    expect(body).toMatchObject({
      gridId: 'grid-1',
      version: 1,
      capturedAt: '2026-11-20T16:05:00Z',
      receivedAt: '2026-11-20T16:06:00.000Z',
      completeness: { complete: true, gaps: [] },
      qualification: { state: 'not_evaluated' },
      sync: { state: 'pending' },
      task: { state: 'not_created', blockedBy: ['account_not_evaluated'] },
    });
    expect(body.task['reason']).toContain('has not been evaluated');
  });

  it("shows the worker's completeness when it judged the current version under other rules", () => {
    const stricter = judgeCompleteness(completeGrid, { minWords: 40 });
    const body = status({
      accountState: qualifiedAccount,
      syncState: aGridSyncState({ version: 1, completeness: stricter }),
    });
    expect(body.completeness).toEqual(stricter);
    expect(body.completeness.rules).toBe('v1 minWords 40');
    expect(body.task).toMatchObject({ state: 'not_created', blockedBy: ['grid_incomplete'] });
    // A state of an older version says nothing about the current one's completeness.
    const newer = status({
      stored: stored(completeGrid, 2),
      syncState: aGridSyncState({ version: 1, completeness: stricter }),
    });
    expect(newer.completeness.complete).toBe(true);
  });

  it('says an incomplete grid blocks the task and names the sections', () => {
    const draft: SalesGrid = { ...completeGrid, requiredCapabilities: undefined, idealScenario: 'too short' };
    const body = status({ stored: stored(draft), accountState: qualifiedAccount });
    expect(body.task).toMatchObject({ state: 'not_created', blockedBy: ['grid_incomplete'] });
    expect(body.task['reason']).toContain('Ideal Scenario, Required Capabilities');
  });

  it("passes the account's verdict through and quotes its summary when it blocks the task", () => {
    const body = status({ accountState: unqualifiedAccount });
    expect(body.qualification).toMatchObject({
      state: 'not_qualified',
      score: 3,
      verdict: { qualified: false },
    });
    expect(body.task).toMatchObject({ blockedBy: ['account_not_qualified'] });
    expect(body.task['reason']).toContain('active on 2 of 14 required days');
  });

  it('explains that a grid without an account domain cannot be evaluated', () => {
    const noDomain: SalesGrid = { ...completeGrid, account: { crmId: '12345' } };
    expect(status({ stored: stored(noDomain) }).qualification).toMatchObject({
      reason: expect.stringContaining('no account domain'),
    });
  });

  it('says the worker will create the task once nothing blocks it', () => {
    const body = status({ accountState: qualifiedAccount });
    expect(body.task).toMatchObject({ state: 'not_created', blockedBy: [] });
    expect(body.task['reason']).toContain('next run');
  });

  it("gives the worker's reason when it tried and could not create the task", () => {
    const reason = 'deal owner: owner 500 is deactivated; company owner: the company has no owner';
    const body = status({
      accountState: qualifiedAccount,
      syncState: aGridSyncState({ task: { state: 'blocked', reason } }),
    });
    expect(body.task).toMatchObject({ state: 'not_created', reason, worker: { state: 'blocked' } });
  });

  it('shows the ledger entry once the task exists', () => {
    const entry: TaskLedgerEntry = {
      tenant: 'acme',
      gridId: 'grid-1',
      marker: 'gridsync:acme:grid-1',
      state: 'created',
      crmTaskId: '9001',
      details: { owner: 'deal_owner' },
      createdAt: new Date('2026-11-20T16:07:00Z'),
      updatedAt: new Date('2026-11-20T16:07:01Z'),
    };
    expect(status({ taskEntry: entry }).task).toEqual({
      state: 'created',
      crmTaskId: '9001',
      details: { owner: 'deal_owner' },
      createdAt: '2026-11-20T16:07:00.000Z',
      updatedAt: '2026-11-20T16:07:01.000Z',
    });
  });

  describe('sync summary', () => {
    const target = (state: TargetState) => aTarget(state);
    const syncDoc = (targets: GridSyncState['targets'], extra: Partial<GridSyncState> = {}) =>
      aGridSyncState({ version: 1, targets, ...extra });

    it('is synced when every target is, and keeps the per-target detail', () => {
      const body = status({
        syncState: syncDoc({ gridRecord: { ...target('synced'), crmId: '77' }, deal: target('synced') }),
      });
      expect(body.sync).toMatchObject({ state: 'synced', targets: { gridRecord: { crmId: '77' } } });
    });

    it('is failed when one target failed or the job became a dead letter', () => {
      expect(
        status({ syncState: syncDoc({ gridRecord: target('synced'), deal: target('failed') }) }).sync.state,
      ).toBe('failed');
      const dead = syncDoc(
        { gridRecord: target('pending') },
        { deadLetter: { attempts: 10, lastError: 'x', at: 'y' } },
      );
      expect(status({ syncState: dead }).sync.state).toBe('failed');
    });

    it('is pending while a target is, or when the document describes an older version', () => {
      expect(status({ syncState: syncDoc({ gridRecord: target('pending') }) }).sync.state).toBe('pending');
      const older = syncDoc({ gridRecord: target('synced') }, { version: 1 });
      expect(status({ stored: stored(completeGrid, 2), syncState: older }).sync.state).toBe('pending');
    });

    it('is dry_run for a tenant without CRM credentials', () => {
      const body = status({
        syncState: syncDoc({ gridRecord: target('dry_run') }, { mode: 'dry_run', plannedWrites: [{}] }),
      });
      expect(body.sync).toMatchObject({ state: 'dry_run', plannedWrites: [{}] });
    });
  });
});
