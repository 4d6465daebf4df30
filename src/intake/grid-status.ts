/**
 * The body of GET /v1/tenants/:tenant/grids/:gridId, composed from what the store holds (pure). The sync's
 * documents (domain/sync-state.ts, domain/account-state.ts) are passed through whole; this module reads the
 * few fields it needs for a one-word summary.
 */
import type { AccountState } from '../domain/account-state.ts';
import type { GridCompleteness } from '../domain/grid-completeness.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import type { StoredGrid, TaskLedgerEntry } from '../store/store.ts';

export interface GridStatusInput {
  stored: StoredGrid;
  statusUrl: string;
  /** getGridSyncState: undefined before the worker ran. */
  syncState: GridSyncState | undefined;
  /** getAccountState for the grid's account domain: undefined before its signals were evaluated. */
  accountState: AccountState | undefined;
  taskEntry: TaskLedgerEntry | undefined;
}

export type TaskBlocker = 'grid_incomplete' | 'account_not_evaluated' | 'account_not_qualified';

export interface GridStatusBody {
  gridId: string;
  version: number;
  capturedAt: string;
  receivedAt: string;
  submittedBy: string;
  account: StoredGrid['grid']['account'];
  statusUrl: string;
  completeness: GridCompleteness;
  /** The account's document, with a one-word state; not_evaluated (with the reason) before there is one. */
  qualification:
    | { state: 'not_evaluated'; reason: string }
    | (AccountState & { state: 'qualified' | 'not_qualified' | 'evaluated' });
  /** The grid's sync document, with a one-word state; pending (with the reason) before there is one. */
  sync:
    | { state: 'pending'; reason: string }
    | (GridSyncState & { state: 'pending' | 'synced' | 'failed' | 'dry_run' });
  task: Record<string, unknown> & { state: 'not_created' | 'creating' | 'created' };
}

export function describeGridStatus(input: GridStatusInput): GridStatusBody {
  const { stored } = input;
  const qualification = describeQualification(stored, input.accountState);
  // The worker's verdict when it judged this version under other rules than the intake (a mapping edit).
  const judged = input.syncState?.version === stored.version ? input.syncState.completeness : undefined;
  const completeness = judged ?? stored.completeness;
  return {
    gridId: stored.gridId,
    version: stored.version,
    capturedAt: stored.grid.capturedAt,
    receivedAt: stored.receivedAt.toISOString(),
    submittedBy: stored.grid.submittedBy,
    account: stored.grid.account,
    statusUrl: input.statusUrl,
    completeness,
    qualification,
    sync: describeSync(stored.version, input.syncState),
    task: describeTask(completeness, qualification, input),
  };
}

function describeQualification(
  stored: StoredGrid,
  doc: AccountState | undefined,
): GridStatusBody['qualification'] {
  if (!doc) {
    const reason =
      stored.grid.account.domain === undefined
        ? 'the grid names no account domain, so signals cannot be matched to it'
        : 'no signals have been evaluated for this account yet';
    return { state: 'not_evaluated', reason };
  }
  const state: GridStatusBody['qualification']['state'] = doc.verdict.qualified
    ? 'qualified'
    : 'not_qualified';
  return Object.assign({ state }, doc, { state });
}

function describeSync(currentVersion: number, doc: GridSyncState | undefined): GridStatusBody['sync'] {
  if (!doc) return { state: 'pending', reason: 'the worker has not synced this grid yet' };
  const targetStates = Object.values(doc.targets).map((target) => target.state);
  const describesCurrent = doc.version >= currentVersion;
  let state: GridStatusBody['sync']['state'];
  if (doc.deadLetter !== undefined || targetStates.includes('failed')) state = 'failed';
  else if (!describesCurrent || targetStates.length === 0 || targetStates.includes('pending')) {
    state = 'pending';
  } else if (doc.mode === 'dry_run' || targetStates.includes('dry_run')) state = 'dry_run';
  else state = 'synced';
  return Object.assign({ state }, doc, { state });
}

function describeTask(
  completeness: GridCompleteness,
  qualification: GridStatusBody['qualification'],
  { taskEntry: entry, syncState, accountState }: GridStatusInput,
): GridStatusBody['task'] {
  if (entry) {
    return {
      state: entry.state,
      crmTaskId: entry.crmTaskId,
      details: entry.details,
      createdAt: entry.createdAt.toISOString(),
      updatedAt: entry.updatedAt.toISOString(),
    };
  }
  const blockedBy: TaskBlocker[] = [];
  const reasons: string[] = [];
  if (!completeness.complete) {
    blockedBy.push('grid_incomplete');
    reasons.push(`the grid is incomplete (${completeness.gaps.map((gap) => gap.title).join(', ')})`);
  }
  if (qualification.state === 'not_evaluated') {
    blockedBy.push('account_not_evaluated');
    reasons.push('the account has not been evaluated yet');
  } else if (qualification.state === 'not_qualified' && accountState) {
    blockedBy.push('account_not_qualified');
    reasons.push(`the account is not qualified: ${accountState.verdict.summary}`);
  }
  // The worker knows more once it has tried: no active owner in the chain (blocked), or, for a dry-run tenant,
  // the task it would create (planned). Its words win over the generic ones.
  const worker = syncState?.task;
  if (reasons.length === 0 && (worker?.state === 'blocked' || worker?.state === 'planned')) {
    return { state: 'not_created', reason: worker.reason, blockedBy, worker: { ...worker } };
  }
  const reason =
    reasons.length === 0
      ? 'the grid is complete and the account qualified: the worker creates the task on its next run'
      : `not created because ${reasons.join('; ')}`;
  return { state: 'not_created', reason, blockedBy };
}
