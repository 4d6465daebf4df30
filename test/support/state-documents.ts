/**
 * Builders for the documents the sync keeps (domain/sync-state.ts, domain/account-state.ts): complete, valid
 * documents with the fields a test names overridden, so tests state only what they are about.
 */
import type { AccountState, QualificationVerdict } from '../../src/domain/account-state.ts';
import type { GridSyncState, TargetState, TargetSync } from '../../src/domain/sync-state.ts';

const AT = '2026-11-20T16:07:00.000Z';

export function aTarget(state: TargetState, overrides: Partial<TargetSync> = {}): TargetSync {
  return { state, updatedAt: AT, ...overrides };
}

export function aGridSyncState(overrides: Partial<GridSyncState> = {}): GridSyncState {
  return {
    crm: 'hubspot',
    mode: 'live',
    version: 1,
    targets: { gridRecord: aTarget('pending') },
    unresolved: [],
    updatedAt: AT,
    ...overrides,
  };
}

export function aVerdict(overrides: Partial<QualificationVerdict> = {}): QualificationVerdict {
  return {
    qualified: false,
    ruleVersion: 'test-rule',
    usageHeld: 0,
    usageTotal: 0,
    icpHeld: 0,
    icpRequired: 0,
    criteria: [],
    summary: 'not evaluated against any criterion',
    evaluatedAt: AT,
    ...overrides,
  };
}

export function anAccountState(overrides: Partial<AccountState> = {}): AccountState {
  return {
    domain: 'ledgerline.example',
    score: 0,
    level: 'none',
    signalCount: 0,
    lastSignalAt: null,
    aggregate: {},
    verdict: aVerdict(),
    updatedAt: AT,
    ...overrides,
  };
}
