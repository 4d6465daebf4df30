/**
 * The body of GET /v1/tenants/:tenant/grids/:gridId, composed from what the store holds (pure). The sync's
 * documents (src/sync/sync-state.ts, src/qualification/account-state.ts) are passed through whole; this module
 * only reads the few fields it needs for a one-word summary, defensively, because they are stored as opaque JSON.
 */
import type { GridCompleteness } from '../domain/grid-completeness.ts';
import type { StoredGrid, TaskLedgerEntry } from '../store/store.ts';

export interface GridStatusInput {
  stored: StoredGrid;
  statusUrl: string;
  /** getGridSyncState: a GridSyncState document, or undefined before the worker ran. */
  syncState: unknown;
  /** getAccountState for the grid's account domain: an AccountState document, or undefined. */
  accountState: unknown;
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
  qualification: Record<string, unknown> & {
    state: 'not_evaluated' | 'qualified' | 'not_qualified' | 'evaluated';
  };
  sync: Record<string, unknown> & { state: 'pending' | 'synced' | 'failed' | 'dry_run' };
  task: Record<string, unknown> & { state: 'not_created' | 'creating' | 'created' };
}

export function describeGridStatus(input: GridStatusInput): GridStatusBody {
  const { stored } = input;
  const qualification = describeQualification(stored, input.accountState);
  return {
    gridId: stored.gridId,
    version: stored.version,
    capturedAt: stored.grid.capturedAt,
    receivedAt: stored.receivedAt.toISOString(),
    submittedBy: stored.grid.submittedBy,
    account: stored.grid.account,
    statusUrl: input.statusUrl,
    completeness: stored.completeness,
    qualification,
    sync: describeSync(stored.version, input.syncState),
    task: describeTask(stored.completeness, qualification, input.taskEntry, input.syncState),
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function describeQualification(stored: StoredGrid, accountState: unknown): GridStatusBody['qualification'] {
  const doc = asRecord(accountState);
  if (!doc) {
    const reason =
      stored.grid.account.domain === undefined
        ? 'the grid names no account domain, so signals cannot be matched to it'
        : 'no signals have been evaluated for this account yet';
    return { state: 'not_evaluated', reason };
  }
  const qualified = asRecord(doc['verdict'])?.['qualified'];
  const state: GridStatusBody['qualification']['state'] =
    qualified === true ? 'qualified' : qualified === false ? 'not_qualified' : 'evaluated';
  return Object.assign({ state }, doc, { state });
}

function describeSync(currentVersion: number, syncState: unknown): GridStatusBody['sync'] {
  const doc = asRecord(syncState);
  if (!doc) return { state: 'pending', reason: 'the worker has not synced this grid yet' };
  const targetStates = Object.values(asRecord(doc['targets']) ?? {}).map(
    (target) => asRecord(target)?.['state'],
  );
  const describesCurrent = typeof doc['version'] !== 'number' || doc['version'] >= currentVersion;
  let state: GridStatusBody['sync']['state'];
  if (doc['deadLetter'] !== undefined || targetStates.includes('failed')) state = 'failed';
  else if (!describesCurrent || targetStates.length === 0 || targetStates.includes('pending')) {
    state = 'pending';
  } else if (doc['mode'] === 'dry_run' || targetStates.includes('dry_run')) state = 'dry_run';
  else state = 'synced';
  return Object.assign({ state }, doc, { state });
}

function describeTask(
  completeness: GridCompleteness,
  qualification: GridStatusBody['qualification'],
  entry: TaskLedgerEntry | undefined,
  syncState: unknown,
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
  } else if (qualification.state === 'not_qualified') {
    blockedBy.push('account_not_qualified');
    const summary = asRecord(qualification['verdict'])?.['summary'];
    reasons.push(`the account is not qualified${typeof summary === 'string' ? `: ${summary}` : ''}`);
  }
  // The worker knows more once it has tried: no active owner in the chain (blocked), or, for a dry-run tenant,
  // the task it would create (planned). Its words win over the generic ones.
  const worker = asRecord(asRecord(syncState)?.['task']);
  if (reasons.length === 0 && (worker?.['state'] === 'blocked' || worker?.['state'] === 'planned')) {
    return { state: 'not_created', reason: String(worker['reason']), blockedBy, worker };
  }
  const reason =
    reasons.length === 0
      ? 'the grid is complete and the account qualified: the worker creates the task on its next run'
      : `not created because ${reasons.join('; ')}`;
  return { state: 'not_created', reason, blockedBy };
}
